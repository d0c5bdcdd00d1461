/// Every default of the configuration file, written once: `ResolvedConfig`
/// applies them, `check` prints the result, the commands that read a config
/// without resolving it (`registry`) use them too.
public enum ConfigDefaults {
    public static let startAt = "beginning"
    public static let maxLineBytes = 16 << 20
    public static let backups = "auto"
    public static let maxOpenFiles = 64
    public static let registryPath = "/var/lib/tailship/registry.json"
    public static let flushInterval: Duration = .seconds(1)
    public static let cleanAfter: Duration = .seconds(24 * 3600)
    public static let maxEvents = 1000
    /// As Promtail; the peak-memory budget holds several batches.
    public static let maxBatchBytes = 1 << 20
    public static let maxWait: Duration = .seconds(1)
    public static let compression = "gzip"
    public static let compressionLevel = 1
    public static let compressionEngine = "auto"
    public static let maxFileBytes = 128 << 20
    public static let deadLetterDirectory = "/var/lib/tailship/dead-letter"
    public static let pinsMaxBytes = 2 << 30
    /// Beside the registry, one directory per input directory in it.
    public static let pinDirectoryName = "pins"
    /// Where pins (hard links) were before they were copies: beside the log.
    public static let legacyPinDirectoryName = ".tailship-pins"
    public static let shutdownTimeout: Duration = .seconds(30)
    public static let logLevel = "info"
    public static let logFormat = "logfmt"
    public static let policyOnInvalid = "pass"
    public static let readyMaxFailureAge: Duration = .seconds(300)
    public static let httpTimeout: Duration = .seconds(30)
    public static let initialBackoff: Duration = .milliseconds(500)
    public static let maxBackoff: Duration = .seconds(30)
    public static let maxInFlight = 2
    public static let maxBodyBytes = 10 << 20
    public static let auditMetricsWindow: Duration = .seconds(900)
    public static let webhookListen = "127.0.0.1:9765"
    public static let webhookPath = "/audit"
    public static let webhookMaxBodyBytes = 64 << 20
    public static let spoolDirectory = "/var/lib/tailship/spool"
    public static let spoolMaxBytes = 1 << 30
    public static let spoolSegmentBytes = 64 << 20
    /// Beside the registry file, when `redact.key_file` / `pseudonymize.key_file` are not set.
    public static let redactKeyName = "redact.key"
    public static let pseudonymizeKeyName = "pseudonymize.key"
}
