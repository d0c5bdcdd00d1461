import TailshipBasics
import Foundation
import Logging
import Synchronization
import TailshipShip
import TailshipTail

/// The reader thread: follows every input, frames, batches and hands batches
/// to the queue (blocking while it is full). Stops when asked, sending the
/// open batch if the queue takes it before the shutdown deadline.
final class ReaderLoop: @unchecked Sendable {
    private let tailers: [Tailer]
    private let stats: ShipStats
    private let policies: PolicyHolder
    private let handler: PipelineHandler
    private let watcher: any ChangeWatcher
    private let queue: BatchQueue
    private let shutdown: ShutdownClock
    private let logger: Logger
    private let stop: StopFlag
    private let state: DaemonState
    // Reader thread only: once one batch could not be queued, later ones must
    // not be either, or their commits would skip the lost batch's lines.
    private var gaveUp = false
    /// False for a lane removed by a reload: its stop is not the daemon's (no STOPPING=1 to systemd).
    private let notifies = Atomic<Bool>(true)
    var notifiesStopping: Bool {
        get { notifies.load(ordering: .acquiring) }
        set { notifies.store(newValue, ordering: .releasing) }
    }

    /// Backfill: called once every file was read to its end and the last batch queued.
    private let onComplete: (@Sendable () -> Void)?

    init(config: ResolvedConfig, registry: Registry, queue: BatchQueue, deadLetters: DeadLetterWriter, stats: ShipStats,
         shutdown: ShutdownClock, logger: Logger, policies: PolicyHolder, outputPolicy: PolicyHolder = PolicyHolder(nil),
         state: DaemonState = DaemonState(), primary: Bool = true, audit: AuditMetrics? = nil,
         backfill: BackfillMode? = nil, trouble: InputTrouble = InputTrouble(), replay: [RecordedBatch] = [], onComplete: (@Sendable () -> Void)? = nil) {
        self.queue = queue
        self.state = state
        self.shutdown = shutdown
        self.logger = logger
        self.onComplete = onComplete
        self.stats = stats
        self.policies = policies
        stop = StopFlag()
        let observer = StatsTailObserver(stats: stats, trouble: trouble)
        tailers = config.inputs.map { input in
            Tailer(options: Self.tailOptions(input, config: config, backfill: backfill), registry: registry, observer: observer, logger: logger)
        }
        watcher = PosixFileSystem().watcher(directories: Array(Set(tailers.flatMap { $0.discovery.watchDirectories })).sorted())
        var emit: ((Batch) -> Void)?
        let batcher = Batcher(limits: config.batch) { emit?($0) }
        batcher.replay = replay
        handler = PipelineHandler(batcher: batcher, deadLetters: deadLetters, stats: stats, logger: logger, timeFilter: backfill?.timeFilter,
                                  policies: policies, outputPolicy: outputPolicy, onInvalid: config.policyOnInvalid,
                                  // The daemon's policy counts: the first lane counts each event once.
                                  policyCounts: primary ? state.policy : PolicyCounts(),
                                  audit: audit, enrichment: config.enrichment)
        emit = { [unowned self] batch in self.enqueue(batch) }
        let stop = self.stop
        handler.isStopping = { stop.isSet }
        for tailer in tailers { tailer.shouldStop = { stop.isSet } }
    }

    static func tailOptions(_ input: ResolvedConfig.Input, config: ResolvedConfig, backfill: BackfillMode?) -> TailOptions {
        var options = TailOptions(patterns: input.paths, startAtEnd: input.startAtEnd, maxLineBytes: input.maxLineBytes)
        options.backups = input.backups
        options.maxOpenFiles = input.maxOpenFiles
        options.forgetAfterSeconds = config.cleanAfter.inSeconds
        options.pinDirectory = config.pins?.directory(for: input)
        if let backfill {
            options.stopAtEnd = true
            options.shipHistory = true
            options.since = backfill.since
            options.until = backfill.until
        }
        return options
    }

    func requestStop() {
        if notifiesStopping { state.stopping() }
        shutdown.start()
        stop.set()
        watcher.wake()
    }

    /// The thread body.
    func run() {
        let batcher = handler.batcher
        // Services start after signal handlers are in place, so this also says SIGTERM is handled.
        logger.info("reader started", metadata: ["inotify": "\(watcher.usesInotify)"])
        var drainedPasses = 0
        var catchUp = CatchUp(batchBytes: batcher.limits.maxBytes)
        // A daemon that follows files gives memory back when it goes idle; a backfill ends instead.
        let trim = onComplete == nil ? IdleMemoryTrim() : nil
        while !stop.isSet {
            var read = 0
            for tailer in tailers {
                read += tailer.poll(handler)
            }
            if catchUp.pass(read: read) { batcher.flush() } else { batcher.flushIfDue() }
            stats.openFiles.store(tailers.reduce(0) { $0 + $1.followers.count }, ordering: .relaxed)
            state.followingStarted()
            trim?.pass(active: read > 0 || stats.inFlightBatches.load(ordering: .relaxed) > 0 || batcher.deadline != nil)
            if let onComplete {
                // Finite: done when a pass finds nothing open and nothing new.
                drainedPasses = read == 0 && tailers.allSatisfy(\.isDrained) ? drainedPasses + 1 : 0
                if drainedPasses >= 2 {
                    logger.info("every file read to its end")
                    shutdown.startWithoutDeadline()
                    onComplete()
                    break
                }
                if read == 0 && drainedPasses > 0 { continue }
            }
            if read == 0 && !stop.isSet {
                // Poll at least every 250 ms even with inotify: it covers missed events and NFS.
                var wait = 250.0
                if let deadline = batcher.deadline {
                    wait = max(1, min(wait, (deadline - monotonicSeconds()) * 1000))
                }
                watcher.wait(timeoutMilliseconds: Int32(wait))
            }
        }
        batcher.flush()
        queue.finish()
        for tailer in tailers { tailer.closeAll() }
        stats.openFiles.store(0, ordering: .relaxed)
        if policies.policy != nil {
            logger.info("audit policy totals", metadata: [
                "kept": "\(stats.policyKept.load(ordering: .relaxed))", "reduced": "\(stats.policyReduced.load(ordering: .relaxed))",
                "dropped": "\(stats.policyDropped.load(ordering: .relaxed))", "invalid": "\(stats.policyInvalid.load(ordering: .relaxed))",
            ])
        }
        logger.info("reader stopped")
    }

    private func enqueue(_ batch: Batch) {
        guard !gaveUp else { return }
        if !queue.put(batch, giveUp: { shutdown.isPastDeadline }) {
            gaveUp = true
            logger.warning("shutdown deadline reached before the last batches could be queued; they will be read again at the next start")
        }
    }
}

/// Set once, read from any thread, on every line: a relaxed atomic load.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// Feeds tailer events into the shared counters.
struct StatsTailObserver: TailObserver {
    let stats: ShipStats
    let trouble: InputTrouble
    func fileOpened(path: String) { trouble.opened(path) }
    func gzipIncomplete(path: String) { trouble.gzipIncomplete(path) }
    func gzipAbandoned(path: String) { trouble.abandoned(path) }
    func bytesRead(_ count: Int) { stats.bytesRead.add(count, ordering: .relaxed) }
    func fileLost(path: String, unshippedBytes: UInt64?) { stats.filesLost.add(1, ordering: .relaxed) }
    func readError(path: String, errno: Int32) { stats.readErrors.add(1, ordering: .relaxed) }
}
