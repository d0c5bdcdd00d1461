import Logging
import Synchronization
import TailshipBasics

/// Takes batches in order and has up to `maxInFlight` of them delivered at
/// once (each encoded and compressed in its own task), but reports them
/// acknowledged strictly in sequence order, so offsets are committed in order
/// whatever order the sink finishes them in. An `OrderedSink` (files) has
/// its batches prepared in parallel and stored one at a time, in order. A
/// `StagedSink` (HTTP) has up to `preparing` more batches encoded and
/// compressed while `maxInFlight` are being sent: compression uses every core
/// whatever the number of requests in flight.
public final class Shipper: Sendable {
    private let queue: BatchQueue
    private let sink: any Sink
    private let maxInFlight: Int
    /// Batches a `StagedSink` may prepare beyond those being sent.
    private let preparing: Int
    private let stats: ShipStats
    private let logger: Logger
    private let onAcknowledged: @Sendable (Batch) -> Void
    /// Called before a batch with events is first handed to the sink (and may block):
    /// where its ranges are recorded durably, so a restart sends it again as it was.
    private let beforeSend: (@Sendable (Batch) -> Void)?

    public init(queue: BatchQueue, sink: any Sink, maxInFlight: Int = 1, preparing: Int = 0, stats: ShipStats, logger: Logger,
                beforeSend: (@Sendable (Batch) -> Void)? = nil, onAcknowledged: @escaping @Sendable (Batch) -> Void) {
        self.beforeSend = beforeSend
        self.queue = queue
        self.sink = sink
        self.maxInFlight = max(1, maxInFlight)
        self.preparing = sink is any StagedSink ? max(0, preparing) : 0
        self.stats = stats
        self.logger = logger
        self.onAcknowledged = onAcknowledged
    }

    enum Event: Sendable {
        case batch(Batch)
        case prepared(Batch, [UInt8])
        case done(Batch, Delivery)
        case finished
    }

    /// Ships until the queue is finished and empty; throws CancellationError if cancelled first.
    public func run() async throws {
        defer { queue.cancel() }
        let slots = Slots(maxInFlight + preparing)
        // Requests at once for a StagedSink; the other sinks are limited by `slots` alone.
        let requests = OrderedSlots(maxInFlight)
        var tickets: UInt64 = 0
        let (events, continuation) = AsyncStream<Event>.makeStream()
        // Discarding: a finished child is freed at once. A plain task group keeps every
        // finished child until it is awaited, which here would be one per batch, forever.
        await withDiscardingTaskGroup { group in
            feed(slots, in: &group, events: continuation)
            var sequence = AckSequence()
            var inFlight = 0
            var finished = false
            let ordered = sink as? any OrderedSink
            loop: for await event in events {
                switch event {
                case .batch(let batch):
                    if sequence.next == nil { sequence.next = batch.sequence }
                    if inFlight == 0 {
                        // Was idle: time without success counts from now (readiness).
                        stats.lastOutputProgress.store(UTCTime.nowNanoseconds(), ordering: .relaxed)
                    }
                    inFlight += 1
                    take(batch, ordered: ordered, tickets: &tickets, requests: requests, in: &group, events: continuation)
                case .prepared(let batch, let bytes):
                    sequence.prepared[batch.sequence] = (batch, bytes)
                    // Store in sequence order; each stored batch is done at once.
                    while let (b, bytes) = sequence.nextPrepared() {
                        guard let delivery = await store(b, bytes, in: ordered!) else { break loop }
                        inFlight -= 1
                        stats.inFlightBatches.subtract(1, ordering: .relaxed)
                        slots.release()
                        acknowledge(b, delivery)
                    }
                case .done(let batch, let delivery):
                    inFlight -= 1
                    // A staged batch counted itself out of the metric when its request ended.
                    if staged(batch) == nil { stats.inFlightBatches.subtract(1, ordering: .relaxed) }
                    slots.release()
                    sequence.done[batch.sequence] = (batch, delivery)
                    while let (b, d) = sequence.nextDone() { acknowledge(b, d) }
                case .finished:
                    finished = true
                }
                if finished && inFlight == 0 { break }
            }
            // Cancelled (or done): wake the feeder, stop what is in flight.
            slots.close()
            requests.close()
            queue.cancel()
            group.cancelAll()
            continuation.finish()
        }
        try Task.checkCancellation()
    }

    /// The feeder takes a batch only when a slot is free: backpressure reaches the reader.
    private func feed(_ slots: Slots, in group: inout DiscardingTaskGroup, events: AsyncStream<Event>.Continuation) {
        group.addTask { [queue] in
            while await slots.acquire() {
                guard let batch = await queue.next() else {
                    events.yield(.finished)
                    return
                }
                events.yield(.batch(batch))
            }
        }
    }

    /// Starts a batch's work in a task of its own. A `StagedSink`'s batch counts as in flight
    /// (the metric) once its request slot is taken, not while it is compressed.
    private func take(_ batch: Batch, ordered: (any OrderedSink)?, tickets: inout UInt64,
                      requests: OrderedSlots, in group: inout DiscardingTaskGroup, events: AsyncStream<Event>.Continuation) {
        if let staged = staged(batch) {
            send(batch, through: staged, ticket: tickets, requests: requests, in: &group, events: events)
            tickets += 1
        } else {
            stats.inFlightBatches.add(1, ordering: .relaxed)
            start(batch, ordered: ordered, in: &group, events: events)
        }
    }

    /// The sink, when it is a `StagedSink` and the batch has events to send (an empty
    /// batch only moves offsets: it is acknowledged without a request).
    private func staged(_ batch: Batch) -> (any StagedSink)? {
        batch.events > 0 ? sink as? any StagedSink : nil
    }

    /// A `StagedSink`'s batch: prepared at once (every core), sent when its ticket's turn
    /// comes and a request slot is free.
    private func send(_ batch: Batch, through staged: any StagedSink, ticket: UInt64, requests: OrderedSlots,
                      in group: inout DiscardingTaskGroup, events: AsyncStream<Event>.Continuation) {
        group.addTask { [self] in
            beforeSend?(batch)
            guard let prepared = await attempt(batch, { try await staged.prepare(batch) }) else {
                requests.skip(ticket: ticket)
                return
            }
            guard await requests.acquire(ticket: ticket) else { return }
            stats.inFlightBatches.add(1, ordering: .relaxed)
            defer {
                stats.inFlightBatches.subtract(1, ordering: .relaxed)
                requests.release()
            }
            guard let delivery = await attempt(batch, { try await staged.send(prepared, of: batch) }) else { return }
            events.yield(.done(batch, delivery))
        }
    }

    /// Has one batch prepared (an `OrderedSink`) or delivered in a task of its own. A task
    /// cancelled at shutdown reports nothing: its batch is not acknowledged.
    private func start(_ batch: Batch, ordered: (any OrderedSink)?, in group: inout DiscardingTaskGroup,
                       events: AsyncStream<Event>.Continuation) {
        if let ordered {
            group.addTask { [self] in
                guard let bytes = await attempt(batch, { batch.events > 0 ? try await ordered.prepare(batch) : [] }) else { return }
                events.yield(.prepared(batch, bytes))
            }
        } else {
            group.addTask { [self, sink] in
                if batch.events > 0 { beforeSend?(batch) }
                guard let delivery = await attempt(batch, { batch.events > 0 ? try await sink.deliver(batch) : .acknowledged }) else { return }
                events.yield(.done(batch, delivery))
            }
        }
    }

    /// Stores a prepared batch; nil if storing was cancelled (shutdown).
    private func store(_ batch: Batch, _ bytes: [UInt8], in ordered: any OrderedSink) async -> Delivery? {
        guard batch.events > 0 else { return .acknowledged }
        return await attempt(batch) { try await ordered.store(bytes, of: batch) }
    }

    /// Runs `work` until it returns; nil once cancelled. Sinks retry what they know
    /// themselves; anything else they throw (a bug, an encoder that gave up) must not
    /// take the batch and its slot away silently, or every later ack would wait forever:
    /// it is logged, counted, and tried again after a growing pause.
    func attempt<T: Sendable>(_ batch: Batch, _ work: @Sendable () async throws -> T) async -> T? {
        var pause = 0.5
        while !Task.isCancelled {
            do {
                return try await work()
            } catch is CancellationError {
                return nil
            } catch {
                if Task.isCancelled { return nil }
                stats.batchErrors.add(1, ordering: .relaxed)
                logger.error("batch failed unexpectedly; trying again", metadata: [
                    "error": "\(error)", "sequence": "\(batch.sequence)", "events": "\(batch.events)", "retry_in_seconds": "\(pause)"])
                do { try await Task.sleep(for: .milliseconds(Int(pause * 1000))) } catch { return nil }
                pause = min(pause * 2, 30)
            }
        }
        return nil
    }

    private func acknowledge(_ batch: Batch, _ delivery: Delivery) {
        record(batch, delivery)
        onAcknowledged(batch)
    }

    private func record(_ batch: Batch, _ delivery: Delivery) {
        guard batch.events > 0 else { return }
        switch delivery {
        case .acknowledged:
            stats.eventsShipped.add(batch.events, ordering: .relaxed)
            stats.bytesShipped.add(batch.body.count, ordering: .relaxed)
            stats.batchesAcknowledged.add(1, ordering: .relaxed)
            stats.lastOutputProgress.store(UTCTime.nowNanoseconds(), ordering: .relaxed)
        case .deadLettered:
            stats.batchesDeadLettered.add(1, ordering: .relaxed)
        }
    }
}

/// A counting semaphore for async code; `close` releases every waiter with false.
final class Slots: Sendable {
    private struct State {
        var free: Int
        var closed = false
        var waiters: [CheckedContinuation<Bool, Never>] = []
    }
    private let state: Mutex<State>

    init(_ count: Int) { state = Mutex(State(free: count)) }

    /// True when a slot was taken; false once closed.
    func acquire() async -> Bool {
        await withCheckedContinuation { c in
            let now: Bool? = state.withLock { s in
                if s.closed { return false }
                if s.free > 0 { s.free -= 1; return true }
                s.waiters.append(c)
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }

    func release() {
        let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            s.free += 1
            return nil
        }
        waiter?.resume(returning: true)
    }

    func close() {
        let waiters = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
            s.closed = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume(returning: false) }
    }
}
