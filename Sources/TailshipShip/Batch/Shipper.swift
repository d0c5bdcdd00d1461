import Logging

/// Takes batches in order, encodes and compresses each, hands it to the sink,
/// and reports it acknowledged only after the sink is done with it, so offsets
/// are committed strictly in order.
public final class Shipper: Sendable {
    private let queue: BatchQueue
    private let sink: any Sink
    private let compressionLevel: Int32?
    private let stats: ShipStats
    private let logger: Logger
    private let onAcknowledged: @Sendable (Batch) -> Void

    public init(queue: BatchQueue, sink: any Sink, compressionLevel: Int32?, stats: ShipStats, logger: Logger,
                onAcknowledged: @escaping @Sendable (Batch) -> Void) {
        self.queue = queue
        self.sink = sink
        self.compressionLevel = compressionLevel
        self.stats = stats
        self.logger = logger
        self.onAcknowledged = onAcknowledged
    }

    /// Ships until the queue is finished and empty; throws CancellationError if cancelled first.
    public func run() async throws {
        defer { queue.cancel() }
        while let batch = await queue.next() {
            try Task.checkCancellation()
            if batch.events > 0 {
                let payload = try Payload(batch: batch, level: compressionLevel)
                switch try await sink.deliver(payload) {
                case .acknowledged:
                    stats.eventsShipped.add(batch.events, ordering: .relaxed)
                    stats.bytesShipped.add(payload.body.count, ordering: .relaxed)
                    stats.batchesAcknowledged.add(1, ordering: .relaxed)
                case .deadLettered:
                    stats.batchesDeadLettered.add(1, ordering: .relaxed)
                    stats.eventsDeadLettered.add(batch.events, ordering: .relaxed)
                }
            }
            onAcknowledged(batch)
        }
    }
}
