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
    private let handler: PipelineHandler
    private let watcher: FileWatcher
    private let queue: BatchQueue
    private let shutdown: ShutdownClock
    private let logger: Logger
    private let stopRequested = Atomic<Bool>(false)
    // Reader thread only: once one batch could not be queued, later ones must
    // not be either, or their commits would skip the lost batch's lines.
    private var gaveUp = false

    init(config: ResolvedConfig, registry: Registry, queue: BatchQueue, deadLetters: DeadLetterWriter, stats: ShipStats,
         shutdown: ShutdownClock, logger: Logger) {
        self.queue = queue
        self.shutdown = shutdown
        self.logger = logger
        let observer = StatsTailObserver(stats: stats)
        tailers = config.inputs.map { input in
            var options = TailOptions(patterns: input.paths, startAtEnd: input.startAtEnd, maxLineBytes: input.maxLineBytes)
            options.backups = input.backups
            options.maxOpenFiles = input.maxOpenFiles
            options.forgetAfterSeconds = config.cleanAfter.seconds
            return Tailer(options: options, registry: registry, observer: observer, logger: logger)
        }
        watcher = FileWatcher(directories: Array(Set(tailers.flatMap { $0.discovery.watchDirectories })).sorted())
        var emit: ((Batch) -> Void)?
        let batcher = Batcher(limits: config.batch) { emit?($0) }
        handler = PipelineHandler(batcher: batcher, deadLetters: deadLetters, stats: stats, logger: logger)
        emit = { [unowned self] batch in self.enqueue(batch) }
    }

    func requestStop() {
        shutdown.start()
        stopRequested.store(true, ordering: .releasing)
        watcher.wake()
    }

    /// The thread body.
    func run() {
        let batcher = handler.batcher
        // Services start after signal handlers are in place, so this also says SIGTERM is handled.
        logger.info("reader started", metadata: ["inotify": "\(watcher.usesInotify)"])
        while !stopRequested.load(ordering: .acquiring) {
            var read = 0
            for tailer in tailers {
                read += tailer.poll(handler)
            }
            batcher.flushIfDue()
            if read == 0 && !stopRequested.load(ordering: .acquiring) {
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

/// Feeds tailer events into the shared counters.
struct StatsTailObserver: TailObserver {
    let stats: ShipStats
    func bytesRead(_ count: Int) { stats.bytesRead.add(count, ordering: .relaxed) }
}
