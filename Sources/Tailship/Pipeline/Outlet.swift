import Logging
import Synchronization
import TailshipShip

/// One output as a reader feeds it: its handler (policies, enrichment, batcher) and
/// its queue. A shared reader feeds several; the batcher is the reader thread's alone.
final class Outlet: @unchecked Sendable {
    let name: String
    let handler: PipelineHandler
    let queue: BatchQueue
    let shutdown: ShutdownClock
    let stats: ShipStats
    let feed: Feed
    let logger: Logger
    /// Backfill: this output's reader read every file to its end.
    let onComplete: (@Sendable () -> Void)?
    // Reader thread only: once one batch could not be queued, later ones must
    // not be either, or their commits would skip the lost batch's lines.
    var gaveUp = false
    /// Let go by the shared reader: whatever its batcher still emits is dropped (read again by the lane's own reader).
    var detached = false
    /// Where the batcher's batches go: set by the reader that feeds this outlet.
    var emit: ((Batch) -> Void)?

    init(name: String, handler: PipelineHandler, queue: BatchQueue, shutdown: ShutdownClock, stats: ShipStats, feed: Feed,
         logger: Logger, onComplete: (@Sendable () -> Void)?) {
        self.name = name
        self.handler = handler
        self.queue = queue
        self.shutdown = shutdown
        self.stats = stats
        self.feed = feed
        self.logger = logger
        self.onComplete = onComplete
    }

    var batcher: Batcher { handler.batcher }

    // Reader thread only: retries counted when an acknowledgement was last seen.
    private var acksSeen = 0
    private var retriesAtAck = 0

    /// The output retried since its last acknowledgement: it is failing now, not just busy.
    func isFailing() -> Bool {
        let acks = stats.batchesAcknowledged.load(ordering: .relaxed) + stats.batchesDeadLettered.load(ordering: .relaxed)
        let retries = stats.retries.load(ordering: .relaxed)
        if acks != acksSeen {
            acksSeen = acks
            retriesAtAck = retries
        }
        return retries > retriesAtAck
    }

    /// An outlet for a lane: its batcher hands batches to whichever reader sets `emit`.
    static func make(name: String, config: ResolvedConfig, queue: BatchQueue, shutdown: ShutdownClock, stats: ShipStats, feed: Feed,
                     logger: Logger, deadLetters: DeadLetterWriter, policies: PolicyHolder, outputPolicy: PolicyHolder,
                     policyCounts: PolicyCounts, audit: AuditMetrics?, redaction: RedactionRuntime?, backfill: BackfillMode?, replay: [RecordedBatch],
                     onComplete: (@Sendable () -> Void)?) -> Outlet {
        let box = EmitBox()
        let batcher = Batcher(limits: config.batch) { box.emit?($0) }
        batcher.replay = replay
        let handler = PipelineHandler(batcher: batcher, deadLetters: deadLetters, stats: stats, logger: logger, timeFilter: backfill?.timeFilter,
                                      policies: policies, outputPolicy: outputPolicy, onInvalid: config.policyOnInvalid,
                                      policyCounts: policyCounts, audit: audit, enrichment: config.enrichment, redaction: redaction)
        let outlet = Outlet(name: name, handler: handler, queue: queue, shutdown: shutdown, stats: stats, feed: feed, logger: logger,
                            onComplete: onComplete)
        box.emit = { [unowned outlet] batch in outlet.emit?(batch) }
        return outlet
    }
}

/// The batcher is made before its outlet: this carries the call across.
private final class EmitBox {
    var emit: ((Batch) -> Void)?
}

/// What a lane and the reader feeding it tell each other: batches queued (and their
/// numbering) and acknowledged (all acknowledged: drained), and whether the shared
/// reader let go of it.
final class Feed: Sendable {
    private struct State {
        var queued = 0
        var acknowledged = 0
        var detached = false
    }
    private let state = Mutex(State())

    /// A batch is being queued: its sequence number. The lane's batches are numbered here, not by
    /// a batcher, so they run on without a gap across readers (the shipper acknowledges in this order).
    func queuing() -> UInt64 { state.withLock { $0.queued += 1; return UInt64($0.queued) } }
    func notQueued() { state.withLock { $0.queued -= 1 } }
    func acknowledged() { state.withLock { $0.acknowledged += 1 } }
    /// Every batch queued so far was acknowledged (or dead-lettered): its offsets are committed.
    var isDrained: Bool { state.withLock { $0.acknowledged >= $0.queued } }

    /// The shared reader feeds this lane no more (set on the reader thread, after its last batch).
    func detach() { state.withLock { $0.detached = true } }
    /// Fed by the shared reader again (a lane that rejoined it).
    func attach() { state.withLock { $0.detached = false } }
    var isDetached: Bool { state.withLock { $0.detached } }
}
