/// What the tailer follows and how.
public struct TailOptions: Sendable {
    /// Files or globs to follow.
    public var patterns: [String]
    /// For a file with no registry entry found at start-up: begin at its end instead of 0.
    public var startAtEnd: Bool
    /// Lines longer than this (without `\n`) are not shipped in the main stream.
    public var maxLineBytes: Int
    /// Size of the one read buffer.
    public var readBufferBytes: Int = 1 << 20
    /// Most bytes read from one file per pass, so one busy file cannot starve another.
    public var passBudgetBytes: Int = 8 << 20
    /// A renamed or deleted file whose last line has no `\n` is held this long
    /// after its last new byte before the partial line is shipped as it is.
    public var rotatedIdleSeconds: Double = 2
    /// Registry entries of files not seen for this long are dropped.
    public var forgetAfterSeconds: Double = 24 * 3600
    /// Which rotated copies belong to the input.
    public var backups: BackupPolicy = .auto
    /// Most files open at once; more wait their turn.
    public var maxOpenFiles: Int = 64
    /// Where pins of this input's rotated files are (`pins.directory`); they are
    /// listed with the backups, so a pinned file whose backup was deleted is read there.
    public var pinDirectory: String?
    /// Backfill: read every file to its current end and let go of it, live
    /// files included (their last line without `\n` stays unread).
    public var stopAtEnd = false
    /// Backfill: unknown backups are shipped even when older than the registry.
    public var shipHistory = false
    /// Backfill: backups whose name time shows they lie wholly outside
    /// [since, until] (Unix seconds) are not read.
    public var since: Double?
    public var until: Double?

    public init(patterns: [String], startAtEnd: Bool = false, maxLineBytes: Int = 16 << 20) {
        self.patterns = patterns
        self.startAtEnd = startAtEnd
        self.maxLineBytes = maxLineBytes
    }
}
