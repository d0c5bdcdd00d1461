import Foundation
import TailshipShip

extension ResolvedConfig {
    /// The effective configuration as YAML, with units normalised and secrets redacted.
    public func describe() -> String {
        var out = "inputs:\n"
        for input in inputs {
            if let w = input.webhook {
                out += describe(w, pattern: input.paths.first ?? "")
                out += "    max_line_bytes: \(ByteSize(input.maxLineBytes))\n    max_open_files: \(input.maxOpenFiles)\n"
                continue
            }
            out += "  - paths: [\(input.paths.map(quote).joined(separator: ", "))]\n"
            out += "    start_at: \(input.startAtEnd ? "end" : "beginning")\n"
            out += "    max_line_bytes: \(ByteSize(input.maxLineBytes))\n"
            switch input.backups {
            case .auto: out += "    backups: auto\n"
            case .none: out += "    backups: none\n"
            case .globs(let g): out += "    backups: [\(g.map(quote).joined(separator: ", "))]\n"
            }
            out += "    max_open_files: \(input.maxOpenFiles)\n"
        }
        out += "registry:\n  path: \(quote(registryPath))\n  flush_interval: \(flushInterval.configText)\n  clean_after: \(cleanAfter.configText)\n"
        out += "batch:\n  max_events: \(batch.maxEvents)\n  max_bytes: \(ByteSize(batch.maxBytes))\n"
        out += "  max_wait: \(DurationValue(milliseconds: Int((batch.maxWait * 1000).rounded())))\n"
        out += describeOutputs()
        out += "dead_letter:\n  directory: \(quote(deadLetterDirectory))\n"
        if let pins {
            let dirs = Set(inputs.map { pins.directory(for: $0, registryPath: registryPath) }).sorted().map(quote).joined(separator: ", ")
            out += "pins:\n  enabled: true\n  directory: \(pins.directory.map(quote) ?? "\(dirs)  # default: beside the registry, one per input directory")\n"
            out += "  max_bytes: \(ByteSize(Int(pins.maxBytes)))\n"
        } else {
            out += "pins:\n  enabled: false\n"
        }
        out += "shutdown_timeout: \(shutdownTimeout.configText)\n"
        if let policyPath, let policy {
            out += "policy: \(quote(policyPath))  # \(policy.apiVersion), \(policy.rules.count) rules\n"
            out += "policy_on_invalid: \(policyOnInvalid.rawValue)\n"
        }
        out += "log: {level: \(logLevel.rawValue), format: \(logJSON ? "json" : "logfmt")}\n"
        out += describeRedaction()
        if let a = auditInsights { out += describeInsights(a) }
        if let e = enrichment {
            out += "add_fields: {\(e.fields.map { "\(quote($0.0)): \(quote($0.1))" }.joined(separator: ", "))}\n"
            out += "add_source: \(e.addSource)\n"
        }
        if let m = monitoring {
            out += "monitoring: {listen: \(quote(m.host.contains(":") ? "[\(m.host)]:\(m.port)" : "\(m.host):\(m.port)")), ready_max_failure_age: \(ms(m.readyMaxFailureAge))}\n"
        }
        return out
    }

    /// `output:` for the one-output form, else the `outputs:` list with each one's batch,
    /// dead-letter directory and policy.
    private func describeOutputs() -> String {
        if outputs.count == 1, outputs[0].name == Self.defaultOutputName, outputs[0].policy == nil {
            return "output:\n" + describeOutput(outputs[0])
        }
        var out = "outputs:\n"
        for lane in outputs {
            out += "  - name: \(lane.name)\n"
            out += describeOutput(lane).split(separator: "\n").map { "  " + $0 + "\n" }.joined()
            let b = lane.batch
            out += "    batch: {max_events: \(b.maxEvents), max_bytes: \(ByteSize(b.maxBytes)), max_wait: \(ms(b.maxWait))}\n"
            out += "    dead_letter: {directory: \(quote(lane.deadLetterDirectory))}\n"
            if let path = lane.policyPath, let policy = lane.policy {
                out += "    policy: \(quote(path))  # \(policy.apiVersion), \(policy.rules.count) rules, after the top-level policy\n"
            }
        }
        return out
    }

    /// One output's keys, indented as under `output:`.
    private func describeOutput(_ lane: OutputLane) -> String {
        var out = "  compression: \(lane.compressionLevel == nil ? "none" : "gzip")\n"
        if let level = lane.compressionLevel {
            out += "  compression_level: \(level)\n"
        } else if case .file(_, _, let level) = lane.output {
            // compression: none is about HTTP bodies; the files are gzipped at this level all the same.
            out += "  compression_level: \(level)  # output files are always gzipped\n"
        }
        out += "  compression_engine: \(lane.compressionEngine.rawValue)\n"
        switch lane.output {
        case .http(let o):
            out += describeHTTP(o)
        case .file(let dir, let max, _):
            out += "  file:\n    directory: \(quote(dir))\n    max_file_bytes: \(ByteSize(max))\n"
        }
        return out
    }

    /// `output.http`, secrets redacted.
    private func describeHTTP(_ o: HTTPSinkOptions) -> String {
        var out = ""
        out += "  http:\n    url: \(quote(HTTPSinkOptions.redact(o.url)))\n"
        out += "    timeout: \(ms(o.timeout))\n"
        if o.headers.isEmpty {
            out += "    headers: {}\n"
        } else {
            out += "    headers:\n"
            for (name, _) in o.headers { out += "      \(quote(name)): \"<redacted>\"\n" }
        }
        out += "    retry: {initial_backoff: \(ms(o.initialBackoff)), max_backoff: \(ms(o.maxBackoff)), max_attempts: \(o.maxAttempts.map(String.init) ?? "unlimited")}\n"
        out += "    max_in_flight: \(o.maxInFlight)\n    max_body_bytes: \(ByteSize(o.maxBodyBytes))\n"
        out += "    compression: \(o.compressionLevel == nil ? "none" : "gzip")\n"
        out += "    format: \(o.format.name)\n"
        switch o.format {
        case .elasticsearchBulk(let index): out += "    elasticsearch: {index: \(quote(index))}\n"
        case .splunkHEC(let s):
            out += "    splunk: {host: \(quote(s.host)), sourcetype: \(quote(s.sourcetype))\(s.index.map { ", index: \(quote($0))" } ?? "")}\n"
        case .loki(let labels): out += "    loki: {labels: {\(labels.map { "\(quote($0.name)): \(quote($0.value))" }.joined(separator: ", "))}}\n"
        case .clickhouse(let c): out += "    clickhouse: {database: \(c.database), table: \(c.table), on_invalid: \(c.onInvalid.rawValue)}\n"
        default: break
        }
        let t = o.tls
        if t != TLSOptions() {
            var parts: [String] = []
            if let v = t.caFile { parts.append("ca_file: \(quote(v))") }
            if let v = t.certFile { parts.append("cert_file: \(quote(v))") }
            if let v = t.keyFile { parts.append("key_file: \(quote(v))") }
            if let v = t.serverName { parts.append("server_name: \(quote(v))") }
            parts.append("insecure_skip_verify: \(t.insecureSkipVerify)")
            out += "    tls: {\(parts.joined(separator: ", "))}\n"
        }
        switch o.auth {
        case .none, .splunk: break
        case .bearer(let file): out += "    auth: {bearer_token_file: \(quote(file))}\n"
        case .basic(let user, let file): out += "    auth: {basic: {username: \(quote(user)), password_file: \(quote(file))}}\n"
        }
        return out
    }

    private func describeInsights(_ a: AuditInsightsSettings) -> String {
        var out = ""
        let resources = a.resources.keys.sorted().flatMap { g in a.resources[g]!.sorted().map { g.isEmpty ? $0 : "\(g)/\($0)" } }
        out += "audit_metrics:\n  enabled: true\n  window: \(ms(a.window))\n"
        out += "  resources: [\(resources.joined(separator: ", "))]\n"
        if !a.freezeWindows.isEmpty {
            out += "  freeze_windows:\n"
            for w in a.freezeWindows {
                let parts = w.label.components(separatedBy: "..")
                out += "    - {start: \(quote(parts[0])), end: \(quote(parts[1]))\(w.namespaces.map { ", namespaces: [\($0.sorted().map(quote).joined(separator: ", "))]" } ?? "")}\n"
            }
        }
        return out
    }

    private func ms(_ seconds: Double) -> DurationValue { DurationValue(milliseconds: Int((seconds * 1000).rounded())) }

    func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
