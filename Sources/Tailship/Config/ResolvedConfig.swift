import Foundation
import Logging
import TailshipCompress
import TailshipPolicy
import TailshipRedact
import TailshipShip
import TailshipTail
import TailshipWebhook
import Yams

/// What happens to a line the policy cannot read as an audit event.
public enum InvalidLineAction: String, Sendable {
    case pass, drop
    case deadLetter = "dead-letter"
}

/// The validated configuration the daemon runs with: defaults applied, units normalised.
public struct ResolvedConfig: Sendable, Equatable {
    public struct Input: Sendable, Equatable {
        public var paths: [String]
        public var startAtEnd: Bool
        public var maxLineBytes: Int
        public var backups: BackupPolicy
        public var maxOpenFiles: Int
        /// A webhook input: `paths` is its spool's segments.
        public var webhook: WebhookSettings?
    }

    public enum Output: Sendable, Equatable {
        case http(HTTPSinkOptions)
        case file(directory: String, maxFileBytes: Int, level: Int32)
    }

    public var inputs: [Input]
    public var registryPath: String
    public var flushInterval: Duration
    public var cleanAfter: Duration
    public var batch: BatchLimits
    /// zlib level, or nil for no compression.
    public var compressionLevel: Int32?
    /// The library that compresses (`output.compression_engine`, `auto` resolved for this build and level).
    public var compressionEngine: CompressionEngine = .zlib
    public var output: Output
    public var deadLetterDirectory: String
    /// Every output (`outputs:`, or the one `output:` named `default`). The top-level
    /// `output`, `batch`, compression and dead-letter values are the first one's.
    public var outputs: [OutputLane] = []
    /// `pins`: nil when off.
    public var pins: Pins? = Pins()
    public var shutdownTimeout: Duration
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
    /// `redact` and `pseudonymize`.
    public var redaction = Redaction()

    public struct Pins: Sendable, Equatable {
        /// nil: `pins/<input directory>` beside the registry.
        public var directory: String?
        public var maxBytes = UInt64(ConfigDefaults.pinsMaxBytes)

        /// The pin directory for an input. The default is in Tailship's own state
        /// directory, one per input directory (pins are copies: any filesystem will do).
        public func directory(for input: Input, registryPath: String) -> String {
            if let directory { return directory }
            let state = (registryPath as NSString).deletingLastPathComponent
            let inputDir = URL(fileURLWithPath: ((input.paths.first ?? ".") as NSString).deletingLastPathComponent).standardizedFileURL.path
            let name = inputDir.split(separator: "/").joined(separator: "-")
            return (state.isEmpty ? "." : state) + "/" + ConfigDefaults.pinDirectoryName + "/" + (name.isEmpty ? "_root" : name)
        }

        /// Where an earlier version kept an input's pins (hard links beside the log), adopted at start.
        public func legacyDirectory(for input: Input) -> String {
            let dir = ((input.paths.first ?? ".") as NSString).deletingLastPathComponent
            return (dir.isEmpty ? "." : dir) + "/" + ConfigDefaults.legacyPinDirectoryName
        }
    }

    /// The pin directory of an input, nil with pins off.
    public func pinDirectory(for input: Input) -> String? {
        pins?.directory(for: input, registryPath: registryPath)
    }

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
    public struct Overrides: Sendable, Equatable {
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
            return try StrictDecoder.decode(ConfigFile.self, from: yaml)
        } catch {
            throw ConfigError.from(error)
        }
    }
}

extension ResolvedConfig {
    static func resolveMonitoring(_ section: MonitoringSection?) throws -> Monitoring? {
        let age = section?.readyMaxFailureAge ?? ConfigDefaults.readyMaxFailureAge
        guard age > .zero else { throw ConfigError("monitoring.ready_max_failure_age", "must be more than 0") }
        guard let listen = section?.listen, !listen.isEmpty else { return nil }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigError("monitoring.listen", "must be HOST:PORT (for example 127.0.0.1:9880), not \"\(listen)\"")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw ConfigError("monitoring.listen", "needs a host: 0.0.0.0:\(port) for every interface, 127.0.0.1:\(port) for this node only")
        }
        return Monitoring(host: host, port: port, readyMaxFailureAge: age.inSeconds)
    }
}
