import Metrics
import Synchronization
import TailshipBasics

/// Counters the shipping side keeps; read for progress, logs and metrics.
/// Plain atomics, so the hot path never waits on the metrics library; the
/// monitoring server copies them into Prometheus form when scraped.
public final class ShipStats: Sendable {
    public let eventsShipped = Atomic<Int>(0)
    /// Uncompressed batch bytes acknowledged.
    public let bytesShipped = Atomic<Int>(0)
    /// Bytes on the wire (compressed) the HTTP output had accepted.
    public let bytesSent = Atomic<Int>(0)
    public let batchesAcknowledged = Atomic<Int>(0)
    public let batchesDeadLettered = Atomic<Int>(0)
    public let eventsDeadLettered = Atomic<Int>(0)
    public let retries = Atomic<Int>(0)
    /// Unexpected errors from a sink (not a refusal it handles itself); the batch is tried again.
    public let batchErrors = Atomic<Int>(0)
    /// Bodies a receiver refused as too large (413) and that were sent again in halves.
    public let splits = Atomic<Int>(0)
    public let oversizeLines = Atomic<Int>(0)
    /// Failed writes of oversize lines to the dead-letter directory, and 1 while reading waits on one.
    public let deadLetterWriteErrors = Atomic<Int>(0)
    public let deadLetterStalled = Atomic<Int>(0)
    public let linesRead = Atomic<Int>(0)
    public let bytesRead = Atomic<Int>(0)
    /// Lines the HTTP output found not to be JSON objects (sent as they are, or wrapped as strings).
    public let nonObjectLines = Atomic<Int>(0)
    /// Lines left out by a backfill's --since/--until.
    public let linesFiltered = Atomic<Int>(0)
    /// Lines skipped as copies of an event read within the dedupe window (webhook `dedupe_with_files`).
    public let linesDuplicate = Atomic<Int>(0)
    /// Audit policy outcomes (`policy:`): lines shipped unchanged, reduced, dropped, and not audit events.
    public let policyKept = Atomic<Int>(0)
    public let policyReduced = Atomic<Int>(0)
    public let policyDropped = Atomic<Int>(0)
    public let policyInvalid = Atomic<Int>(0)
    /// Files open for reading now.
    public let openFiles = Atomic<Int>(0)
    /// 1 while the output is fed by a reader shared with other outputs.
    public let sharedReader = Atomic<Int>(0)
    /// Files that vanished before all of them was shipped.
    public let filesLost = Atomic<Int>(0)
    /// Pinned rotated files and their bytes on disk; whether pinning works (1) or is off (0).
    public let pinnedFiles = Atomic<Int>(0)
    public let pinnedBytes = Atomic<Int>(0)
    public let pinsEnabled = Atomic<Int>(0)
    /// Rotated files that could not be pinned (the copy failed: disk full, no access), once each.
    public let pinFailures = Atomic<Int>(0)
    /// Input not yet acknowledged (decompressed bytes for .gz), and the modification
    /// time (Unix seconds, 0 for none) of the oldest file holding some.
    public let backlogBytes = Atomic<Int>(0)
    public let backlogOldestModified = Atomic<Int>(0)
    /// Failed opens and reads of input paths (permissions, a directory where a file was, a symlink loop).
    public let readErrors = Atomic<Int>(0)
    /// Batches handed to the sink and not yet finished.
    public let inFlightBatches = Atomic<Int>(0)
    /// Wall-clock nanoseconds of the output's last progress: a batch acknowledged,
    /// or the first batch taken after the output had nothing to do.
    public let lastOutputProgress = Atomic<Int64>(UTCTime.nowNanoseconds())
    /// One request (HTTP) or one append (file).
    public let sendDuration: Metrics.Timer

    /// `output`: the output's name, a label of its send-duration histogram.
    public init(metrics: any MetricsFactory = NOOPMetricsHandler.instance, output: String? = nil) {
        sendDuration = Metrics.Timer(label: Self.sendDurationName, dimensions: output.map { [("output", $0)] } ?? [], factory: metrics)
    }

    public static let sendDurationName = "tailship_send_duration_seconds"
}
