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

/// A sink whose destination must receive batches in order (files): the
/// shipper runs `prepare` (compression) for several batches at once, on as
/// many cores as there are, and `store` one batch at a time in sequence order.
public protocol OrderedSink: Sink {
    /// The bytes to store; may run concurrently for different batches.
    func prepare(_ batch: Batch) async throws -> [UInt8]
    /// Stores prepared bytes; called in sequence order, one at a time.
    func store(_ prepared: [UInt8], of batch: Batch) async throws -> Delivery
}

/// A sink whose delivery is CPU work (`prepare`: encoding, compression) followed by
/// requests (`send`): the shipper prepares batches on every core while at most
/// `max_in_flight` of them are being sent, so compression is not limited by the
/// number of requests in flight.
public protocol StagedSink: Sink {
    /// May run concurrently for different batches.
    func prepare(_ batch: Batch) async throws -> PreparedRequests
    /// Sends what `prepare` made; returns as `deliver` does.
    func send(_ prepared: PreparedRequests, of batch: Batch) async throws -> Delivery
}
