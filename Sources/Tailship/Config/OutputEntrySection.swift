/// One entry of `outputs:`: everything `output:` has, plus a name and the output's
/// own batch limits, dead-letter directory and policy.
public struct OutputEntrySection: ConfigSection, Sendable {
    /// Unique; used in metrics (`output="<name>"`), the registry and dead-letter paths. Required.
    public var name: String?
    public var compression: String?
    public var compressionLevel: Int?
    public var compressionEngine: String?
    public var http: HTTPSection?
    public var file: FileSection?
    /// This output's batches; absent: the top-level `batch`.
    public var batch: BatchSection?
    /// Absent: `<dead_letter.directory>/<name>`.
    public var deadLetter: DeadLetterSection?
    /// A policy applied after the top-level one, to this output's events only.
    public var policy: String?

    public init() {}

    /// The keys `output:` has.
    var outputSection: OutputSection {
        var o = OutputSection()
        o.compression = compression
        o.compressionLevel = compressionLevel
        o.compressionEngine = compressionEngine
        o.http = http
        o.file = file
        return o
    }
}
