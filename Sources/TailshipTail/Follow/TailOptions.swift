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

    public init(patterns: [String], startAtEnd: Bool = false, maxLineBytes: Int = 16 << 20) {
        self.patterns = patterns
        self.startAtEnd = startAtEnd
        self.maxLineBytes = maxLineBytes
    }
}
