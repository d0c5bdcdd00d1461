/// What happened to a payload that a sink is done with.
public enum Delivery: Sendable, Equatable {
    /// The destination has it (and, for files, it is on disk).
    case acknowledged
    /// The destination refused some or all of it for good; they were stored (first path).
    case deadLettered(String)
}

/// A destination. `deliver` returns only when the payload is acknowledged or
/// dead-lettered, retrying as long as it takes; it throws only when cancelled.
public protocol Sink: Sendable {
    func deliver(_ batch: Batch) async throws -> Delivery
    func shutdown() async
}
