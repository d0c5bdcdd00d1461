import Foundation
import TailshipShip

extension ResolvedConfig {
    /// Validates `output.http` into sink options. `compression` is output.compression's level (nil: none).
    static func resolveHTTP(_ http: HTTPSection, compression: Int32?, level: Int32,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HTTPSinkOptions {
        guard let url = http.url else { throw ConfigError("output.http.url", "required") }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty else {
            throw ConfigError("output.http.url", "not a valid URL (expected http:// or https://host/path)")
        }
        let timeout = http.timeout ?? ConfigDefaults.httpTimeout
        guard timeout > .zero else { throw ConfigError("output.http.timeout", "must be more than 0") }
        let initial = http.retry?.initialBackoff ?? ConfigDefaults.initialBackoff
        let maxBackoff = http.retry?.maxBackoff ?? ConfigDefaults.maxBackoff
        guard initial > .zero else { throw ConfigError("output.http.retry.initial_backoff", "must be more than 0") }
        guard maxBackoff >= initial else {
            throw ConfigError("output.http.retry.max_backoff", "must not be less than initial_backoff")
        }
        if let n = http.retry?.maxAttempts, n < 1 { throw ConfigError("output.http.retry.max_attempts", "must be at least 1") }
        let inFlight = http.maxInFlight ?? ConfigDefaults.maxInFlight
        guard (1...64).contains(inFlight) else { throw ConfigError("output.http.max_in_flight", "must be from 1 to 64") }
        let maxBody = http.maxBodyBytes?.bytes ?? ConfigDefaults.maxBodyBytes
        guard maxBody >= 1024 else { throw ConfigError("output.http.max_body_bytes", "must be at least 1KiB") }

        var headers: [(String, String)] = []
        for (name, value) in (http.headers ?? [:]).sorted(by: { $0.key < $1.key }) {
            headers.append((name, try expand(value, field: "output.http.headers.\(name)", environment: environment)))
        }

        var zlibLevel: Int32? = compression
        if let c = http.compression {
            guard c == "gzip" || c == "none" else { throw ConfigError("output.http.compression", "must be gzip or none, not \"\(c)\"") }
            zlibLevel = c == "gzip" ? level : nil
        }

        let tls = try resolveTLS(http.tls, scheme: scheme)
        var auth = try resolveAuth(http.auth)

        let format = try resolveFormat(http, auth: &auth)
        return HTTPSinkOptions(url: url, timeout: timeout.inSeconds, headers: headers, initialBackoff: initial.inSeconds,
                               maxBackoff: maxBackoff.inSeconds, maxAttempts: http.retry?.maxAttempts, maxInFlight: inFlight,
                               maxBodyBytes: maxBody, format: format, compressionLevel: zlibLevel, tls: tls, auth: auth)
    }

    private static func resolveTLS(_ section: TLSSection?, scheme: String) throws -> TLSOptions {
        var tls = TLSOptions()
        if let t = section {
            for (name, path) in [("ca_file", t.caFile), ("cert_file", t.certFile), ("key_file", t.keyFile)] {
                if let path { try readable(path, field: "output.http.tls.\(name)") }
            }
            guard (t.certFile == nil) == (t.keyFile == nil) else {
                throw ConfigError("output.http.tls", "cert_file and key_file go together (mutual TLS needs both)")
            }
            tls = TLSOptions(caFile: t.caFile, certFile: t.certFile, keyFile: t.keyFile, serverName: t.serverName,
                             insecureSkipVerify: t.insecureSkipVerify ?? false)
            if scheme == "http" && (t.caFile != nil || t.certFile != nil) {
                throw ConfigError("output.http.tls", "TLS settings need an https:// url")
            }
        }
        return tls
    }

    private static func resolveAuth(_ section: AuthSection?) throws -> HTTPAuth {
        var auth = HTTPAuth.none
        if let a = section {
            switch (a.bearerTokenFile, a.basic) {
            case (let file?, nil):
                try readable(file, field: "output.http.auth.bearer_token_file")
                auth = .bearer(tokenFile: file)
            case (nil, let basic?):
                guard let user = basic.username, !user.isEmpty else { throw ConfigError("output.http.auth.basic.username", "required") }
                guard let file = basic.passwordFile else { throw ConfigError("output.http.auth.basic.password_file", "required") }
                try readable(file, field: "output.http.auth.basic.password_file")
                auth = .basic(username: user, passwordFile: file)
            case (nil, nil): break
            case (.some, .some): throw ConfigError("output.http.auth", "give bearer_token_file or basic, not both")
            }
        }
        return auth
    }

    /// `output.http.format` and its section; splunk-hec sets `auth` to its token.
    static func resolveFormat(_ http: HTTPSection, auth: inout HTTPAuth) throws -> OutputFormat {
        let formatName = http.format ?? "ndjson"
        let format: OutputFormat
        switch formatName {
        case "ndjson": format = .ndjson
        case "json-array": format = .jsonArray
        case "audit-eventlist": format = .auditEventList
        case "elasticsearch-bulk":
            let index = http.elasticsearch?.index ?? "k8s-audit-%Y.%m.%d"
            guard !index.isEmpty, index == index.lowercased() || index.contains("%") else {
                throw ConfigError("output.http.elasticsearch.index", "must be a lower-case index name")
            }
            format = .elasticsearchBulk(index: index)
        case "splunk-hec":
            guard let file = http.splunk?.tokenFile else { throw ConfigError("output.http.splunk.token_file", "required for format splunk-hec") }
            try readable(file, field: "output.http.splunk.token_file")
            guard case .none = auth else { throw ConfigError("output.http.auth", "splunk-hec authenticates with splunk.token_file; leave auth out") }
            auth = .splunk(tokenFile: file)
            format = .splunkHEC(SplunkOptions(host: http.splunk?.host ?? ProcessInfo.processInfo.hostName, index: http.splunk?.index,
                                              sourcetype: http.splunk?.sourcetype ?? "kube:apiserver:audit"))
        case "loki":
            let labels = (http.loki?.labels ?? ["job": "k8s-audit"]).sorted { $0.key < $1.key }.map { LokiLabel(name: $0.key, value: $0.value) }
            guard !labels.isEmpty else { throw ConfigError("output.http.loki.labels", "Loki needs at least one label") }
            for l in labels {
                if let field = l.field, !LokiLabel.fields.contains(field) {
                    throw ConfigError("output.http.loki.labels.\(l.name)", "{\(field)} is not a field labels can use (\(LokiLabel.fields.joined(separator: ", ")))")
                }
            }
            format = .loki(labels: labels)
        case "clickhouse":
            format = .clickhouse(try resolveClickHouse(http.clickhouse))
        default:
            throw ConfigError("output.http.format",
                              "must be ndjson, json-array, audit-eventlist, elasticsearch-bulk, splunk-hec, loki or clickhouse, not \"\(formatName)\"")
        }
        for (section, given, name) in [("elasticsearch", http.elasticsearch != nil, "elasticsearch-bulk"), ("splunk", http.splunk != nil, "splunk-hec"),
                                       ("loki", http.loki != nil, "loki"), ("clickhouse", http.clickhouse != nil, "clickhouse")]
        where given && formatName != name {
            throw ConfigError("output.http.\(section)", "only used with format \(name)")
        }
        return format
    }

    static func resolveClickHouse(_ section: ClickHouseSection?) throws -> ClickHouseOptions {
        let database = section?.database ?? "default", table = section?.table ?? "k8s_audit"
        for (key, name) in [("database", database), ("table", table)] where !ClickHouseOptions.isIdentifier(name) {
            throw ConfigError("output.http.clickhouse.\(key)", "\"\(name)\" is not a plain name (letters, digits and _, not starting with a digit)")
        }
        let invalidName = section?.onInvalid ?? "store"
        guard let onInvalid = ClickHouseOptions.InvalidLine(rawValue: invalidName) else {
            throw ConfigError("output.http.clickhouse.on_invalid", "must be store, dead-letter or drop, not \"\(invalidName)\"")
        }
        return ClickHouseOptions(database: database, table: table, onInvalid: onInvalid)
    }

    /// `${NAME}` in a header value, from the environment; an unset variable is an error, never an empty secret.
    static func expand(_ value: String, field: String, environment: [String: String]) throws -> String {
        var out = ""
        var rest = Substring(value)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw ConfigError(field, "unterminated ${ in the value")
            }
            let name = String(rest[open.upperBound..<close])
            guard let v = environment[name] else { throw ConfigError(field, "environment variable \(name) is not set") }
            out += v
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    static func readable(_ path: String, field: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ConfigError(field, "cannot read \(path)")
        }
    }
}
