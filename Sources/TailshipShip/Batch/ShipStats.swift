import Synchronization

/// Counters the shipping side keeps; read for progress, logs and metrics.
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
    public let oversizeLines = Atomic<Int>(0)
    public let linesRead = Atomic<Int>(0)
    public let bytesRead = Atomic<Int>(0)
    /// Lines the HTTP output found not to be JSON objects (sent as they are, or wrapped as strings).
    public let nonObjectLines = Atomic<Int>(0)
    /// Lines left out by a backfill's --since/--until.
    public let linesFiltered = Atomic<Int>(0)
    /// Audit policy outcomes (`policy:`): lines shipped unchanged, reduced, dropped, and not audit events.
    public let policyKept = Atomic<Int>(0)
    public let policyReduced = Atomic<Int>(0)
    public let policyDropped = Atomic<Int>(0)
    public let policyInvalid = Atomic<Int>(0)

    public init() {}
}
