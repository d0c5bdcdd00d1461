import Foundation
import Logging
import TailshipPolicy
import TailshipShip
import TailshipTail
import Yams

/// What happens to a line the policy cannot read as an audit event.
public enum InvalidLineAction: String, Sendable {
    case pass, drop
    case deadLetter = "dead-letter"
}

/// The validated configuration the daemon runs with: defaults applied, units normalised.
public struct ResolvedConfig: Sendable {
    public struct Input: Sendable {
        public var paths: [String]
        public var startAtEnd: Bool
        public var maxLineBytes: Int
        public var backups: BackupPolicy
        public var maxOpenFiles: Int
    }

    public enum Output: Sendable {
        case http(HTTPSinkOptions)
        case file(directory: String, maxFileBytes: Int, level: Int32)
    }

    public var inputs: [Input]
    public var registryPath: String
    public var flushInterval: DurationValue
    public var cleanAfter: DurationValue
    public var batch: BatchLimits
    /// zlib level, or nil for no compression.
    public var compressionLevel: Int32?
    public var output: Output
    public var deadLetterDirectory: String
    public var shutdownTimeout: DurationValue
    public var logLevel: Logger.Level
    public var logJSON: Bool
    /// The audit policy file and the policy read from it at load time.
    public var policyPath: String?
    public var policy: AuditPolicy?
    public var policyOnInvalid: InvalidLineAction = .pass
    /// The monitoring server, if enabled.
    public var monitoring: Monitoring?
    /// `audit_metrics`, if enabled.
    public var auditInsights: AuditInsightsSettings?
    /// `add_fields` / `add_source`, if set.
    public var enrichment: Enrichment?

    public struct Monitoring: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// Seconds.
        public var readyMaxFailureAge: Double
    }

    /// The file this configuration was read from, and the command-line values
    /// that replaced parts of it: what a reload (SIGHUP) reads again.
    public var sourcePath: String?
    public var overrides = Overrides()

    /// Command-line values that replace the file's.
    public struct Overrides: Sendable {
        public var paths: [String] = []
        public var registry: String?
        public var outputURL: String?
        public var outputDirectory: String?
        public init() {}
    }

    /// Reads, overrides and validates. Errors name the key path.
    public static func load(path: String?, overrides: Overrides = Overrides()) throws -> ResolvedConfig {
        var file = ConfigFile()
        if let path {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigError("", "cannot read config file \(path): \(error.localizedDescription)")
            }
            file = try parse(text)
        }
        var resolved = try resolve(file, overrides: overrides)
        resolved.sourcePath = path
        resolved.overrides = overrides
        return resolved
    }

    public static func parse(_ yaml: String) throws -> ConfigFile {
        do {
            if yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return ConfigFile() }
            return try YAMLDecoder().decode(ConfigFile.self, from: yaml)
        } catch {
            throw ConfigError.from(error)
        }
    }

    public static func resolve(_ fileIn: ConfigFile, overrides: Overrides) throws -> ResolvedConfig {
        var file = fileIn
        if !overrides.paths.isEmpty {
            var input = file.inputs?.first ?? InputSection(paths: [])
            input.paths = overrides.paths
            file.inputs = [input]
        }
        if let r = overrides.registry {
            var section = file.registry ?? RegistrySection()
            section.path = r
            file.registry = section
        }
        if let url = overrides.outputURL {
            var out = file.output ?? OutputSection()
            var http = out.http ?? HTTPSection(url: url)
            http.url = url
            out.http = http
            out.file = nil
            file.output = out
        }
        if let dir = overrides.outputDirectory {
            var out = file.output ?? OutputSection()
            out.file = FileSection(directory: dir)
            out.http = nil
            file.output = out
        }

        guard let inputSections = file.inputs, !inputSections.isEmpty else {
            throw ConfigError("inputs", "at least one input is required (or pass --path)")
        }
        var inputs: [Input] = []
        for (i, section) in inputSections.enumerated() {
            guard let paths = section.paths, !paths.isEmpty else {
                throw ConfigError("inputs[\(i)].paths", "at least one path is required")
            }
            for (j, p) in paths.enumerated() where p.isEmpty {
                throw ConfigError("inputs[\(i)].paths[\(j)]", "must not be empty")
            }
            let startAt = section.start_at ?? "beginning"
            guard startAt == "beginning" || startAt == "end" else {
                throw ConfigError("inputs[\(i)].start_at", "must be beginning or end, not \"\(startAt)\"")
            }
            let maxLine = section.max_line_bytes?.bytes ?? 16 << 20
            guard maxLine >= 1 else { throw ConfigError("inputs[\(i)].max_line_bytes", "must be at least 1B") }
            let backups: BackupPolicy
            switch section.backups ?? .word("auto") {
            case .word("auto"): backups = .auto
            case .word("none"): backups = .none
            case .word(let other): throw ConfigError("inputs[\(i)].backups", "must be auto, none or a list of globs, not \"\(other)\"")
            case .globs(let globs):
                guard !globs.isEmpty, !globs.contains("") else { throw ConfigError("inputs[\(i)].backups", "a list of globs must not be empty") }
                backups = .globs(globs)
            }
            let maxOpen = section.max_open_files ?? 64
            guard maxOpen >= 1 else { throw ConfigError("inputs[\(i)].max_open_files", "must be at least 1") }
            inputs.append(Input(paths: paths, startAtEnd: startAt == "end", maxLineBytes: maxLine, backups: backups, maxOpenFiles: maxOpen))
        }

        let registryPath = file.registry?.path ?? "/var/lib/tailship/registry.json"
        guard !registryPath.isEmpty else { throw ConfigError("registry.path", "must not be empty") }
        let flush = file.registry?.flush_interval ?? DurationValue(milliseconds: 1000)
        guard flush.milliseconds > 0 else { throw ConfigError("registry.flush_interval", "must be more than 0") }
        let cleanAfter = file.registry?.clean_after ?? DurationValue(milliseconds: 24 * 3_600_000)
        guard cleanAfter.milliseconds > 0 else { throw ConfigError("registry.clean_after", "must be more than 0") }

        let maxEvents = file.batch?.max_events ?? 1000
        guard maxEvents >= 1 else { throw ConfigError("batch.max_events", "must be at least 1") }
        let maxBytes = file.batch?.max_bytes ?? ByteSize(1 << 20)
        guard maxBytes.bytes >= 1 else { throw ConfigError("batch.max_bytes", "must be at least 1B") }
        let maxWait = file.batch?.max_wait ?? DurationValue(milliseconds: 1000)
        guard maxWait.milliseconds > 0 else { throw ConfigError("batch.max_wait", "must be more than 0") }

        let compression = file.output?.compression ?? "gzip"
        guard compression == "gzip" || compression == "none" else {
            throw ConfigError("output.compression", "must be gzip or none, not \"\(compression)\"")
        }
        let level = file.output?.compression_level ?? 1
        guard (1...9).contains(level) else { throw ConfigError("output.compression_level", "must be from 1 to 9") }

        let zlibLevel: Int32? = compression == "gzip" ? Int32(level) : nil
        let output: Output
        switch (file.output?.http, file.output?.file) {
        case (nil, nil):
            throw ConfigError("output", "one of http or file is required")
        case (.some, .some):
            throw ConfigError("output", "only one of http and file may be set")
        case (let http?, nil):
            output = .http(try resolveHTTP(http, compression: zlibLevel, level: Int32(level)))
        case (nil, let f?):
            guard let dir = f.directory, !dir.isEmpty else { throw ConfigError("output.file.directory", "required") }
            let maxFile = f.max_file_bytes ?? ByteSize(128 << 20)
            guard maxFile.bytes >= 1 else { throw ConfigError("output.file.max_file_bytes", "must be at least 1B") }
            output = .file(directory: dir, maxFileBytes: maxFile.bytes, level: Int32(level))
        }

        let levelName = file.log?.level ?? "info"
        guard let logLevel = Logger.Level(rawValue: levelName) else {
            throw ConfigError("log.level", "must be one of trace, debug, info, notice, warning, error, critical")
        }
        let format = file.log?.format ?? "logfmt"
        guard format == "logfmt" || format == "json" else { throw ConfigError("log.format", "must be logfmt or json") }

        var policy: AuditPolicy?
        if let path = file.policy {
            guard !path.isEmpty else { throw ConfigError("policy", "must not be empty (leave it out to ship every event)") }
            do {
                policy = try PolicyLoader.load(path: path)
            } catch {
                throw ConfigError("policy", "\(error)")
            }
        }
        let onInvalidName = file.policy_on_invalid ?? "pass"
        guard let onInvalid = InvalidLineAction(rawValue: onInvalidName) else {
            throw ConfigError("policy_on_invalid", "must be pass, drop or dead-letter, not \"\(onInvalidName)\"")
        }

        var resolved = ResolvedConfig(
            inputs: inputs, registryPath: registryPath, flushInterval: flush, cleanAfter: cleanAfter,
            batch: BatchLimits(maxEvents: maxEvents, maxBytes: maxBytes.bytes, maxWait: maxWait.seconds),
            compressionLevel: zlibLevel,
            output: output,
            deadLetterDirectory: file.dead_letter?.directory ?? "/var/lib/tailship/dead-letter",
            shutdownTimeout: file.shutdown_timeout ?? DurationValue(milliseconds: 30_000),
            logLevel: logLevel, logJSON: format == "json")
        resolved.policyPath = file.policy
        resolved.policy = policy
        resolved.policyOnInvalid = onInvalid
        if case .http(var options) = resolved.output {
            // Unset, a line a JSON body cannot carry goes to the dead letters rather than break the body.
            options.nonItems = file.policy_on_invalid.flatMap { NonItemAction(rawValue: $0) } ?? .deadLetter
            resolved.output = .http(options)
        }
        resolved.monitoring = try resolveMonitoring(file.monitoring)
        resolved.auditInsights = try AuditInsightsSettings.resolve(file.audit_metrics, monitoring: resolved.monitoring)
        resolved.enrichment = try Enrichment.resolve(fields: file.add_fields, addSource: file.add_source,
                                                     environment: ProcessInfo.processInfo.environment)
        return resolved
    }
}

extension ResolvedConfig {
    static func resolveMonitoring(_ section: MonitoringSection?) throws -> Monitoring? {
        let age = section?.ready_max_failure_age ?? DurationValue(milliseconds: 300_000)
        guard age.milliseconds > 0 else { throw ConfigError("monitoring.ready_max_failure_age", "must be more than 0") }
        guard let listen = section?.listen, !listen.isEmpty else { return nil }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigError("monitoring.listen", "must be HOST:PORT (for example 127.0.0.1:9880), not \"\(listen)\"")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw ConfigError("monitoring.listen", "needs a host: 0.0.0.0:\(port) for every interface, 127.0.0.1:\(port) for this node only")
        }
        return Monitoring(host: host, port: port, readyMaxFailureAge: age.seconds)
    }
}
