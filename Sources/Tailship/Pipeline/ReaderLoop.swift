import TailshipBasics
import Foundation
import Logging
import Synchronization
import TailshipShip
import TailshipTail

/// The reader thread: follows every input, frames each line once, and hands it to
/// every outlet it feeds (one per output), whose batches go to that output's queue
/// (blocking while it is full). With several outlets, one whose queue stays full for
/// `detachAfter` is let go: the others go on, and its lane reads on its own from
/// what it acknowledged. Stops when asked, sending the open batches if the queues
/// take them before the shutdown deadline.
final class ReaderLoop: @unchecked Sendable {
    /// How long a full queue may hold up the other outputs before its output is let go.
    static let detachAfter = 0.5
    /// What this reader is: the shared one (its cursors) or a lane's own (and how it may rejoin the shared one).
    enum Role {
        case shared(SharedCursors)
        case own(Rejoining?)
    }

    /// How a lane's own reader hands its lane back to the shared reader.
    struct Rejoining {
        let target: SharedReaderRef
        /// A new outlet on the lane's queue, for the shared reader to feed.
        let makeOutlet: () -> Outlet
        let onJoin: @Sendable (SharedCursors) -> Void
    }

    let role: Role
    let tailers: [Tailer]
    let fanOut: FanOutHandler
    /// Every outlet ever fed: read from other threads (the fed ones change on the reader thread).
    let everFed: Mutex<[Outlet]>
    /// Offers of lanes reading on their own to be fed again (shared reader).
    let offers = Mutex<[RejoinOffer]>([])
    /// Reader thread only (own reader): when it last offered to rejoin.
    var lastOffer = 0.0
    /// Own reader: it handed its lane back to the shared reader and ended (its queue stays open).
    let rejoinedFlag = StopFlag()
    var rejoined: Bool { rejoinedFlag.isSet }
    private let policies: PolicyHolder
    let watcher: any ChangeWatcher
    let logger: Logger
    let stop: StopFlag
    private let state: DaemonState
    /// Outlets to let go of (their output was removed by a reload), by name.
    private let detachRequests = Mutex<Set<String>>([])
    /// Reader thread only: the last batches are being queued; no outlet is let go any more.
    private var finishing = false
    /// False for a lane removed by a reload: its stop is not the daemon's (no STOPPING=1 to systemd).
    private let notifies = Atomic<Bool>(true)
    var notifiesStopping: Bool {
        get { notifies.load(ordering: .acquiring) }
        set { notifies.store(newValue, ordering: .releasing) }
    }
    /// Backfill: ends once every file was read to its end.
    private let finite: Bool
    /// A backfill, or stopping: outputs neither leave nor join.
    var finiteOrStopping: Bool { finite || stop.isSet }

    init(config: ResolvedConfig, registry: Registry, outlets: [Outlet], role: Role, logger: Logger, policies: PolicyHolder,
         state: DaemonState = DaemonState(), backfill: BackfillMode? = nil, trouble: InputTrouble = InputTrouble()) {
        self.role = role
        self.state = state
        self.logger = logger
        self.policies = policies
        finite = backfill != nil
        stop = StopFlag()
        let fanOut = FanOutHandler(outlets: outlets)
        if config.inputs.contains(where: { $0.webhook?.dedupeWithFiles == true }) { fanOut.recent = RecentEvents() }
        self.fanOut = fanOut
        everFed = Mutex(outlets)
        let observer = StatsTailObserver(stats: { fanOut.outlets.map(\.stats) }, trouble: trouble)
        tailers = config.inputs.map { input in
            Tailer(options: Self.tailOptions(input, config: config, backfill: backfill), registry: registry, observer: observer, logger: logger)
        }
        watcher = PosixFileSystem().watcher(directories: Array(Set(tailers.flatMap { $0.discovery.watchDirectories })).sorted())
        let stop = self.stop
        for outlet in outlets { wire(outlet) }
        for tailer in tailers { tailer.shouldStop = { stop.isSet } }
    }

    /// Batches of `outlet` go to its queue through this reader, which stops them at shutdown.
    func wire(_ outlet: Outlet) {
        let stop = self.stop
        outlet.emit = { [unowned self, unowned outlet] batch in self.enqueue(batch, to: outlet) }
        outlet.handler.isStopping = { stop.isSet }
        if case .shared = role { outlet.stats.sharedReader.store(1, ordering: .relaxed) }
    }

    static func tailOptions(_ input: ResolvedConfig.Input, config: ResolvedConfig, backfill: BackfillMode?) -> TailOptions {
        var options = TailOptions(patterns: input.paths, startAtEnd: input.startAtEnd, maxLineBytes: input.maxLineBytes)
        options.backups = input.backups
        options.maxOpenFiles = input.maxOpenFiles
        options.forgetAfterSeconds = config.cleanAfter.inSeconds
        options.pinDirectory = config.pinDirectory(for: input)
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
        // An outlet let go meanwhile is stopping too, or will by its own lane's shutdown: starting its clock changes nothing.
        for outlet in everFed.withLock({ $0 }) { outlet.shutdown.start() }
        stop.set()
        watcher.wake()
    }

    /// Stops feeding the named output (removed by a reload); its lane finishes its queue.
    func requestDetach(_ name: String) {
        detachRequests.withLock { _ = $0.insert(name) }
        watcher.wake()
    }

    /// The thread body.
    func run() {
        // Services start after signal handlers are in place, so this also says SIGTERM is handled.
        logger.info("reader started", metadata: ["inotify": "\(watcher.usesInotify)", "outputs": "\(fanOut.outlets.map(\.name).joined(separator: ","))"])
        var drainedPasses = 0
        var catchUp = CatchUp(batchBytes: fanOut.outlets.map(\.batcher.limits.maxBytes).min() ?? 1)
        // A daemon that follows files gives memory back when it goes idle; a backfill ends instead.
        let trim = finite ? nil : IdleMemoryTrim()
        while !stop.isSet {
            detachRequested()
            acceptOffers()
            var read = 0
            for tailer in tailers {
                read += tailer.poll(fanOut)
            }
            let partial = catchUp.pass(read: read)
            for outlet in fanOut.outlets { if partial { outlet.batcher.flush() } else { outlet.batcher.flushIfDue() } }
            let open = tailers.reduce(0) { $0 + $1.followers.count }
            for outlet in fanOut.outlets { outlet.stats.openFiles.store(open, ordering: .relaxed) }
            state.followingStarted()
            trim?.pass(active: read > 0 || fanOut.outlets.contains { $0.stats.inFlightBatches.load(ordering: .relaxed) > 0 || $0.batcher.deadline != nil })
            if finite {
                // Finite: done when a pass finds nothing open and nothing new.
                drainedPasses = read == 0 && tailers.allSatisfy(\.isDrained) ? drainedPasses + 1 : 0
                if drainedPasses >= 2 {
                    logger.info("every file read to its end")
                    for outlet in fanOut.outlets {
                        outlet.shutdown.startWithoutDeadline()
                        outlet.onComplete?()
                    }
                    break
                }
                if read == 0 && drainedPasses > 0 { continue }
            }
            if read == 0 && !stop.isSet && offerToRejoin() {
                rejoinedFlag.set()
                break
            }
            if read == 0 && !stop.isSet {
                // Poll at least every 250 ms even with inotify: it covers missed events and NFS.
                var wait = 250.0
                if let deadline = fanOut.outlets.compactMap(\.batcher.deadline).min() {
                    wait = max(1, min(wait, (deadline - monotonicSeconds()) * 1000))
                }
                watcher.wait(timeoutMilliseconds: Int32(wait))
            }
        }
        finish()
        logger.info("reader stopped")
    }

    /// Queues the open batches and closes the queues of the outlets still fed (not of one handed back to the shared reader).
    private func finish() {
        finishing = true
        for outlet in fanOut.outlets where !rejoined {
            outlet.batcher.flush()
            outlet.queue.finish()
            outlet.stats.openFiles.store(0, ordering: .relaxed)
            if policies.policy != nil {
                let stats = outlet.stats
                outlet.logger.info("audit policy totals", metadata: [
                    "kept": "\(stats.policyKept.load(ordering: .relaxed))", "reduced": "\(stats.policyReduced.load(ordering: .relaxed))",
                    "dropped": "\(stats.policyDropped.load(ordering: .relaxed))", "invalid": "\(stats.policyInvalid.load(ordering: .relaxed))",
                ])
            }
        }
        for tailer in tailers { tailer.closeAll() }
    }

    private func enqueue(_ batch: Batch, to outlet: Outlet) {
        guard !outlet.gaveUp, !outlet.detached else { return }
        let began = monotonicSeconds()
        let others = fanOut.outlets.count > 1 && !finishing
        var batch = batch
        batch.sequence = outlet.feed.queuing()
        // A failing output is let go as soon as its queue is full; a busy one after `detachAfter`.
        let queued = (others && outlet.isFailing()) ? outlet.queue.tryPut(batch) : outlet.queue.put(batch, giveUp: {
            outlet.shutdown.isPastDeadline
                || (others && !stop.isSet && (outlet.isFailing() || monotonicSeconds() - began > Self.detachAfter))
        })
        if queued { return }
        outlet.feed.notQueued()
        if others && !stop.isSet && !outlet.shutdown.isPastDeadline {
            detach(outlet, reason: outlet.isFailing() ? "its queue is full and its sends are failing" : "its queue stayed full for \(Self.detachAfter) s")
        } else {
            outlet.gaveUp = true
            outlet.logger.warning("shutdown deadline reached before the last batches could be queued; they will be read again at the next start")
        }
    }

    /// Feeds `outlet` no more. Its open batch and the one that did not fit are dropped
    /// uncommitted: its lane, once what it queued is acknowledged, reads them again.
    private func detach(_ outlet: Outlet, reason: String) {
        fanOut.outlets.removeAll { $0 === outlet }
        outlet.detached = true
        outlet.stats.openFiles.store(0, ordering: .relaxed)
        outlet.stats.sharedReader.store(0, ordering: .relaxed)
        outlet.feed.detach()
        outlet.logger.notice("output no longer fed by the shared reader; it reads the files on its own once what it holds is sent",
                             metadata: ["reason": "\(reason)"])
    }

    private func detachRequested() {
        let names = detachRequests.withLock { r in defer { r.removeAll() }; return r }
        for outlet in fanOut.outlets where names.contains(outlet.name) { detach(outlet, reason: "output removed") }
    }
}

/// Hands each framed piece to every outlet still fed, in turn.
final class FanOutHandler: TailHandler, @unchecked Sendable {
    /// Changed on the reader thread only (an outlet let go).
    var outlets: [Outlet]

    init(outlets: [Outlet]) { self.outlets = outlets }

    /// With `dedupe_with_files`: the events read lately, so a copy is shipped by no output.
    var recent: RecentEvents?

    func handle(_ piece: FramedPiece, from follower: Follower) {
        if let recent, case .line(let bytes, _) = piece, !recent.firstSighting(bytes) {
            for outlet in outlets { outlet.handler.skipCopy(piece, from: follower) }
            return
        }
        for outlet in outlets { outlet.handler.handle(piece, from: follower) }
    }
}

/// Set once, read from any thread, on every line: a relaxed atomic load.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// Feeds tailer events into the shared counters.
/// What is read counts for every output fed by this reader.
struct StatsTailObserver: TailObserver {
    let stats: @Sendable () -> [ShipStats]
    let trouble: InputTrouble
    func fileOpened(path: String) { trouble.opened(path) }
    func gzipIncomplete(path: String) { trouble.gzipIncomplete(path) }
    func gzipAbandoned(path: String) { trouble.abandoned(path) }
    func incompleteCopySkipped(path: String, reason: String) { trouble.copySkipped(path, reason: reason) }
    func bytesRead(_ count: Int) { for s in stats() { s.bytesRead.add(count, ordering: .relaxed) } }
    func fileLost(path: String, unshippedBytes: UInt64?) { for s in stats() { s.filesLost.add(1, ordering: .relaxed) } }
    func readError(path: String, errno: Int32) { for s in stats() { s.readErrors.add(1, ordering: .relaxed) } }
}
