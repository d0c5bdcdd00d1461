import TailshipTail

/// The YAML configuration file as users write it. Every key is optional here;
/// `ResolvedConfig` applies defaults and validates. Unknown keys are errors.
public struct ConfigFile: ConfigSection, Sendable {
    /// Files to follow.
    public var inputs: [InputSection]?
    public var registry: RegistrySection?
    public var batch: BatchSection?
    public var output: OutputSection?
    /// Several outputs, each with its own cursor (instead of `output`).
    public var outputs: [OutputEntrySection]?
    public var deadLetter: DeadLetterSection?
    /// Hard links that keep rotated files until they are shipped.
    public var pins: PinsSection?
    /// How long SIGTERM waits for in-flight batches. Default 30s.
    public var shutdownTimeout: Duration?
    public var log: LogSection?
    /// A Kubernetes audit Policy file applied to every event before shipping.
    public var policy: String?
    /// `pass`, `drop` or `dead-letter`: lines a policy cannot read as audit events. Default pass.
    public var policyOnInvalid: String?
    /// The HTTP server for /metrics, /healthz and /readyz. Off unless `listen` is set.
    public var monitoring: MonitoringSection?
    /// Prometheus metrics computed from the audit events themselves. Off by default.
    public var auditMetrics: AuditMetricsSection?
    /// Fields added to every JSON event as one top-level `"tailship"` object. Off by default.
    public var addFields: [String: String]?
    /// With add_fields (or alone): also add the source file and offset. Default false.
    public var addSource: Bool?
    /// Secret values replaced by keyed hashes. On by default.
    public var redact: RedactSection?
    /// Personal values replaced by keyed tokens. Off by default.
    public var pseudonymize: PseudonymizeSection?


    public init() {}

}

public struct AuditMetricsSection: ConfigSection, Sendable {
    public var enabled: Bool?
    /// Resources counted by name (`pods`, `apps/deployments`); others count as `other`. Default: the built-in ones.
    public var resources: [String]?
    /// How far back /audit/top looks. Default 15m.
    public var window: Duration?
    public var freezeWindows: [FreezeWindowSection]?
    /// Count pseudonymised names (`pseudonymize`) instead of the real ones. Default false.
    public var pseudonymized: Bool?


}

public struct FreezeWindowSection: ConfigSection, Sendable {
    /// RFC 3339 times; a write whose requestReceivedTimestamp is in [start, end) violates the freeze.
    public var start: String?
    public var end: String?
    /// Only writes in these namespaces count; absent: every write, cluster-scoped ones included.
    public var namespaces: [String]?


}

public struct MonitoringSection: ConfigSection, Sendable {
    /// `HOST:PORT` to serve on (port 0: any free port, logged at start); empty or absent: no server.
    public var listen: String?
    /// /readyz fails once the output has had work but no success for this long. Default 5m.
    public var readyMaxFailureAge: Duration?


}

public struct InputSection: ConfigSection, Sendable {
    /// Files or shell globs. Required unless `webhook` is given.
    public var paths: [String]?
    /// The apiserver's audit webhook, spooled to files that are then followed like `paths`.
    public var webhook: WebhookSection?
    /// `beginning` or `end`: where to start a file found at start-up with no registry entry. Default beginning.
    public var startAt: String?
    /// Longest line shipped; longer lines go whole to the dead-letter directory. Default 16MiB.
    public var maxLineBytes: ByteSize?
    /// `auto` (lumberjack and logrotate names next to each file), `none`, or a list of globs. Default auto.
    public var backups: BackupsValue?
    /// Most files of this input open at once. Default 64.
    public var maxOpenFiles: Int?


    public init(paths: [String]) { self.paths = paths }

}

public struct RegistrySection: ConfigSection, Sendable {
    /// Where delivered offsets are kept. Default /var/lib/tailship/registry.json.
    public var path: String?
    /// Longest time between registry writes while offsets change. Default 1s.
    public var flushInterval: Duration?
    /// Entries of files gone this long are removed. Default 24h.
    public var cleanAfter: Duration?


    public init() {}

}

public struct BatchSection: ConfigSection, Sendable {
    /// Events per batch at most. Default 1000.
    public var maxEvents: Int?
    /// Uncompressed bytes per batch at most. Default 1MiB (as Promtail; the peak-memory budget holds several batches).
    public var maxBytes: ByteSize?
    /// Longest a batch waits after its first event. Default 1s.
    public var maxWait: Duration?


}

public struct OutputSection: ConfigSection, Sendable {
    /// `gzip` or `none`. Default gzip.
    public var compression: String?
    /// Level 1 (fastest) to 9 (smallest); ISA-L has 1 to 3. Default 1.
    public var compressionLevel: Int?
    /// `auto`, `isal` or `zlib`. Default auto: ISA-L for levels 1 to 3 where built in.
    public var compressionEngine: String?
    /// Ship to an HTTP endpoint. Exactly one of `http` and `file`.
    public var http: HTTPSection?
    /// Ship to gzip files in a directory.
    public var file: FileSection?


    public init() {}

}
public struct FileSection: ConfigSection, Sendable {
    /// Directory for `tailship-<time>.ndjson.gz` files. Required.
    public var directory: String?
    /// A new file is started past this size. Default 128MiB.
    public var maxFileBytes: ByteSize?


    public init(directory: String) { self.directory = directory }

}

public struct DeadLetterSection: ConfigSection, Sendable {
    /// Where rejected batches and oversize lines are kept. Default /var/lib/tailship/dead-letter.
    public var directory: String?


    public init() {}

}

public struct PinsSection: ConfigSection, Sendable {
    /// Default true.
    public var enabled: Bool?
    /// Default: `pins/<input directory>` beside the registry (pins are copies: any filesystem).
    public var directory: String?
    /// Most bytes kept pinned per input; over it the oldest pins go. Default 2GiB.
    public var maxBytes: ByteSize?

    public init() {}
}

public struct LogSection: ConfigSection, Sendable {
    /// trace, debug, info, notice, warning, error or critical. Default info.
    public var level: String?
    /// `logfmt` or `json`, written to stderr. Default logfmt.
    public var format: String?


}

/// `backups:` is either a word (`auto`, `none`) or a list of globs.
public enum BackupsValue: Decodable, Sendable, Equatable {
    case word(String)
    case globs([String])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let list = try? c.decode([String].self) {
            self = .globs(list)
        } else if let word = try? c.decode(String.self) {
            self = .word(word)
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "must be auto, none or a list of globs")
        }
    }
}
