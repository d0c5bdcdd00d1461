import TailshipCompress
import TailshipPolicy
import TailshipShip

extension ResolvedConfig {
    /// One output of `outputs:` (or the one `output:`, named `default`): where it ships,
    /// how it batches, where its dead letters go, and its own policy.
    public struct OutputLane: Sendable, Equatable {
        public var name: String
        public var output: Output
        /// gzip level of HTTP bodies, nil for none.
        public var compressionLevel: Int32?
        public var compressionEngine: CompressionEngine
        public var batch: BatchLimits
        public var deadLetterDirectory: String
        /// Applied after the top-level policy.
        public var policyPath: String?
        public var policy: AuditPolicy?
    }

    /// The name of the one output of the `output:` form.
    public static let defaultOutputName = "default"

    /// The configuration one output runs with: its output, batch limits and dead-letter
    /// directory in place of the top-level ones, and itself as the only output.
    public func lane(_ lane: OutputLane) -> ResolvedConfig {
        var c = self
        c.output = lane.output
        c.compressionLevel = lane.compressionLevel
        c.compressionEngine = lane.compressionEngine
        c.batch = lane.batch
        c.deadLetterDirectory = lane.deadLetterDirectory
        c.outputs = [lane]
        return c
    }

    /// The output with this name, if configured.
    public func output(named name: String) -> OutputLane? {
        outputs.first { $0.name == name }
    }
}
