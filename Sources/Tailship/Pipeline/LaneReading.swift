import Foundation
import Synchronization
import TailshipShip
import TailshipTail

/// Where a lane's lines come from: the shared reader, or a reader of its own, and the
/// switch from one to the other. A lane let go by the shared reader takes over only
/// once every batch it queued was acknowledged, so its own reader starts exactly
/// where its acknowledged offsets are: nothing is skipped or sent twice.
final class LaneReading: Sendable {
    let name: String
    let feed = Feed()
    let queue: BatchQueue
    let shutdown: ShutdownClock
    let stats: ShipStats
    let recipe: OutletRecipe
    private let current: Mutex<SharedCursors>
    private let reader = Mutex<ReaderLoop?>(nil)
    private let removed = StopFlag()

    init(name: String, cursors: SharedCursors, queue: BatchQueue, shutdown: ShutdownClock, stats: ShipStats, recipe: OutletRecipe) {
        self.name = name
        current = Mutex(cursors)
        self.queue = queue
        self.shutdown = shutdown
        self.stats = stats
        self.recipe = recipe
    }

    /// The cursors acknowledgements go to: the shared ones, or this lane's own after a takeover.
    var cursors: SharedCursors { current.withLock { $0 } }

    /// This lane's own reader, once it has one.
    var ownReader: ReaderLoop? { reader.withLock { $0 } }

    var isRemoved: Bool { removed.isSet }

    func markRemoved() {
        removed.set()
        reader.withLock { $0?.notifiesStopping = false }
    }

    /// An acknowledged (or dead-lettered) batch: its offsets are committed for this output.
    func acknowledged(_ batch: Batch, journal: BatchJournal?) {
        let now = Date().timeIntervalSince1970
        let cursors = self.cursors
        for segment in batch.segments {
            cursors.commit(name, identity: segment.identity, epoch: segment.epoch, offset: segment.end, now: now)
        }
        journal?.acknowledged(batch)
        feed.acknowledged()
    }

    /// Makes the outlet the shared reader feeds, or (own) a reader of this lane's own around it.
    func start(shared: Bool, replay: [RecordedBatch]) -> Outlet? {
        let outlet = makeOutlet(replay: replay)
        guard !shared else { return outlet }
        let loop = recipe.reader(registry: cursors.registry, outlet: outlet, rejoining: rejoining)
        reader.withLock { $0 = loop }
        return nil
    }

    /// The registry of the reader feeding this lane now; nil between being let go and reading on its own.
    var feedingRegistry: Registry? { ownReader != nil || !feed.isDetached ? cursors.registry : nil }

    /// Fed by the shared reader (not let go, no reader of its own).
    var isFedByShared: Bool { !feed.isDetached && ownReader == nil }

    private func makeOutlet(replay: [RecordedBatch]) -> Outlet {
        recipe.outlet(queue: queue, shutdown: shutdown, stats: stats, feed: feed, replay: replay)
    }

    /// How this lane's own reader hands it back to the shared reader: on accepting, the shared
    /// reader (on its thread, before feeding the new outlet) switches the lane's acks to its cursors.
    private var rejoining: ReaderLoop.Rejoining {
        ReaderLoop.Rejoining(target: recipe.context.shared, makeOutlet: { [unowned self] in makeOutlet(replay: []) },
                             onJoin: { [unowned self] shared in
                                 current.withLock { $0 = shared }
                                 reader.withLock { $0 = nil }
                                 feed.attach()
                             })
    }

    /// After the shared reader let go and everything queued was acknowledged: a registry
    /// of this output's own, from what it acknowledged, and a reader around it.
    func takeOver() -> ReaderLoop {
        let shared = cursors
        let registry = Registry(shared.document(for: name))
        shared.leave(name, now: Date().timeIntervalSince1970)
        current.withLock { $0 = SharedCursors(registry: registry, members: [name]) }
        let loop = recipe.reader(registry: registry, outlet: makeOutlet(replay: []), rejoining: rejoining)
        if isRemoved { loop.notifiesStopping = false }
        recipe.logger.notice("output reads the files on its own from what it acknowledged", metadata: [
            "files": "\(registry.entries.count)", "offset_sum": "\(registry.entries.reduce(0) { $0 + $1.offset })"])
        reader.withLock { $0 = loop }
        return loop
    }
}
