import TailshipTail

/// The YAML configuration file as users write it. Every key is optional here;
/// `ResolvedConfig` applies defaults and validates. Unknown keys are errors.
public struct ConfigFile: Decodable, Sendable {
    /// Files to follow.
    public var inputs: [InputSection]?
    public var registry: RegistrySection?
    public var batch: BatchSection?
    public var output: OutputSection?
    public var dead_letter: DeadLetterSection?
    /// How long SIGTERM waits for in-flight batches. Default 30s.
    public var shutdown_timeout: DurationValue?
    public var log: LogSection?
    /// A Kubernetes audit Policy file applied to every event before shipping.
    public var policy: String?
    /// `pass`, `drop` or `dead-letter`: lines a policy cannot read as audit events. Default pass.
    public var policy_on_invalid: String?
    /// The HTTP server for /metrics, /healthz and /readyz. Off unless `listen` is set.
    public var monitoring: MonitoringSection?
    /// Prometheus metrics computed from the audit events themselves. Off by default.
    public var audit_metrics: AuditMetricsSection?
    /// Fields added to every JSON event as one top-level `"tailship"` object. Off by default.
    public var add_fields: [String: String]?
    /// With add_fields (or alone): also add the source file and offset. Default false.
    public var add_source: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case inputs, registry, batch, output, dead_letter, shutdown_timeout, log, policy, policy_on_invalid, monitoring
        case audit_metrics, add_fields, add_source
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputs = try c.decodeIfPresent([InputSection].self, forKey: .inputs)
        registry = try c.decodeIfPresent(RegistrySection.self, forKey: .registry)
        batch = try c.decodeIfPresent(BatchSection.self, forKey: .batch)
        output = try c.decodeIfPresent(OutputSection.self, forKey: .output)
        dead_letter = try c.decodeIfPresent(DeadLetterSection.self, forKey: .dead_letter)
        shutdown_timeout = try c.decodeIfPresent(DurationValue.self, forKey: .shutdown_timeout)
        log = try c.decodeIfPresent(LogSection.self, forKey: .log)
        policy = try c.decodeIfPresent(String.self, forKey: .policy)
        policy_on_invalid = try c.decodeIfPresent(String.self, forKey: .policy_on_invalid)
        monitoring = try c.decodeIfPresent(MonitoringSection.self, forKey: .monitoring)
        audit_metrics = try c.decodeIfPresent(AuditMetricsSection.self, forKey: .audit_metrics)
        add_fields = try c.decodeIfPresent([String: String].self, forKey: .add_fields)
        add_source = try c.decodeIfPresent(Bool.self, forKey: .add_source)
    }
}

public struct AuditMetricsSection: Decodable, Sendable {
    public var enabled: Bool?
    /// Resources counted by name (`pods`, `apps/deployments`); others count as `other`. Default: the built-in ones.
    public var resources: [String]?
    /// How far back /audit/top looks. Default 15m.
    public var window: DurationValue?
    public var freeze_windows: [FreezeWindowSection]?

    enum CodingKeys: String, CodingKey, CaseIterable { case enabled, resources, window, freeze_windows }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled)
        resources = try c.decodeIfPresent([String].self, forKey: .resources)
        window = try c.decodeIfPresent(DurationValue.self, forKey: .window)
        freeze_windows = try c.decodeIfPresent([FreezeWindowSection].self, forKey: .freeze_windows)
    }
}

public struct FreezeWindowSection: Decodable, Sendable {
    /// RFC 3339 times; a write whose requestReceivedTimestamp is in [start, end) violates the freeze.
    public var start: String?
    public var end: String?
    /// Only writes in these namespaces count; absent: every write, cluster-scoped ones included.
    public var namespaces: [String]?

    enum CodingKeys: String, CodingKey, CaseIterable { case start, end, namespaces }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        start = try c.decodeIfPresent(String.self, forKey: .start)
        end = try c.decodeIfPresent(String.self, forKey: .end)
        namespaces = try c.decodeIfPresent([String].self, forKey: .namespaces)
    }
}

public struct MonitoringSection: Decodable, Sendable {
    /// `HOST:PORT` to serve on (port 0: any free port, logged at start); empty or absent: no server.
    public var listen: String?
    /// /readyz fails once the output has had work but no success for this long. Default 5m.
    public var ready_max_failure_age: DurationValue?

    enum CodingKeys: String, CodingKey, CaseIterable { case listen, ready_max_failure_age }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listen = try c.decodeIfPresent(String.self, forKey: .listen)
        ready_max_failure_age = try c.decodeIfPresent(DurationValue.self, forKey: .ready_max_failure_age)
    }
}

public struct InputSection: Decodable, Sendable {
    /// Files or shell globs. Required.
    public var paths: [String]?
    /// `beginning` or `end`: where to start a file found at start-up with no registry entry. Default beginning.
    public var start_at: String?
    /// Longest line shipped; longer lines go whole to the dead-letter directory. Default 16MiB.
    public var max_line_bytes: ByteSize?
    /// `auto` (lumberjack and logrotate names next to each file), `none`, or a list of globs. Default auto.
    public var backups: BackupsValue?
    /// Most files of this input open at once. Default 64.
    public var max_open_files: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case paths, start_at, max_line_bytes, backups, max_open_files }

    public init(paths: [String]) { self.paths = paths }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        paths = try c.decodeIfPresent([String].self, forKey: .paths)
        start_at = try c.decodeIfPresent(String.self, forKey: .start_at)
        max_line_bytes = try c.decodeIfPresent(ByteSize.self, forKey: .max_line_bytes)
        backups = try c.decodeIfPresent(BackupsValue.self, forKey: .backups)
        max_open_files = try c.decodeIfPresent(Int.self, forKey: .max_open_files)
    }
}

public struct RegistrySection: Decodable, Sendable {
    /// Where delivered offsets are kept. Default /var/lib/tailship/registry.json.
    public var path: String?
    /// Longest time between registry writes while offsets change. Default 1s.
    public var flush_interval: DurationValue?
    /// Entries of files gone this long are removed. Default 24h.
    public var clean_after: DurationValue?

    enum CodingKeys: String, CodingKey, CaseIterable { case path, flush_interval, clean_after }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path)
        flush_interval = try c.decodeIfPresent(DurationValue.self, forKey: .flush_interval)
        clean_after = try c.decodeIfPresent(DurationValue.self, forKey: .clean_after)
    }
}

public struct BatchSection: Decodable, Sendable {
    /// Events per batch at most. Default 1000.
    public var max_events: Int?
    /// Uncompressed bytes per batch at most. Default 1MiB (as Promtail; the peak-memory budget holds several batches).
    public var max_bytes: ByteSize?
    /// Longest a batch waits after its first event. Default 1s.
    public var max_wait: DurationValue?

    enum CodingKeys: String, CodingKey, CaseIterable { case max_events, max_bytes, max_wait }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        max_events = try c.decodeIfPresent(Int.self, forKey: .max_events)
        max_bytes = try c.decodeIfPresent(ByteSize.self, forKey: .max_bytes)
        max_wait = try c.decodeIfPresent(DurationValue.self, forKey: .max_wait)
    }
}

public struct OutputSection: Decodable, Sendable {
    /// `gzip` or `none`. Default gzip.
    public var compression: String?
    /// zlib level 1 (fastest) to 9 (smallest). Default 1.
    public var compression_level: Int?
    /// Ship to an HTTP endpoint. Exactly one of `http` and `file`.
    public var http: HTTPSection?
    /// Ship to gzip files in a directory.
    public var file: FileSection?

    enum CodingKeys: String, CodingKey, CaseIterable { case compression, compression_level, http, file }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        compression = try c.decodeIfPresent(String.self, forKey: .compression)
        compression_level = try c.decodeIfPresent(Int.self, forKey: .compression_level)
        http = try c.decodeIfPresent(HTTPSection.self, forKey: .http)
        file = try c.decodeIfPresent(FileSection.self, forKey: .file)
    }
}
public struct FileSection: Decodable, Sendable {
    /// Directory for `tailship-<time>.ndjson.gz` files. Required.
    public var directory: String?
    /// A new file is started past this size. Default 128MiB.
    public var max_file_bytes: ByteSize?

    enum CodingKeys: String, CodingKey, CaseIterable { case directory, max_file_bytes }

    public init(directory: String) { self.directory = directory }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        directory = try c.decodeIfPresent(String.self, forKey: .directory)
        max_file_bytes = try c.decodeIfPresent(ByteSize.self, forKey: .max_file_bytes)
    }
}

public struct DeadLetterSection: Decodable, Sendable {
    /// Where rejected batches and oversize lines are kept. Default /var/lib/tailship/dead-letter.
    public var directory: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case directory }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        directory = try c.decodeIfPresent(String.self, forKey: .directory)
    }
}

public struct LogSection: Decodable, Sendable {
    /// trace, debug, info, notice, warning, error or critical. Default info.
    public var level: String?
    /// `logfmt` or `json`, written to stderr. Default logfmt.
    public var format: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case level, format }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        level = try c.decodeIfPresent(String.self, forKey: .level)
        format = try c.decodeIfPresent(String.self, forKey: .format)
    }
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
