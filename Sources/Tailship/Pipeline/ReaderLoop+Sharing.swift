import TailshipBasics
import TailshipTail

/// A lane reading on its own goes back to the shared reader once it is level with it,
/// so that after a stall (or a start at other offsets, or a reload that added it) its
/// lines are read once again.
extension ReaderLoop {
    /// How often an idle, drained own reader offers to rejoin (seconds).
    static let offerInterval = 2.0

    /// Lane's reader: posts an offer to the shared reader.
    func offer(_ offer: RejoinOffer) {
        offers.withLock { $0.append(offer) }
        watcher.wake()
    }

    /// Shared reader, between passes: feeds each offering lane that is level with it.
    func acceptOffers() {
        guard case .shared(let cursors) = role else { return }
        let pending = offers.withLock { o in defer { o.removeAll() }; return o }
        for offer in pending {
            guard let mine = levelPositions(), mine == offer.positions, !finiteOrStopping, offer.accept() else {
                offer.reject()
                continue
            }
            cursors.join(offer.name, at: offer.positions)
            offer.onJoin(cursors)
            wire(offer.outlet)
            fanOut.outlets.append(offer.outlet)
            everFed.withLock { $0.append(offer.outlet) }
            offer.joined()
            offer.outlet.logger.notice("output level with the shared reader again: its lines are read once from here",
                                       metadata: ["files": "\(mine.count)"])
        }
    }

    /// Own reader, after a pass that read nothing: when drained and due, offers to rejoin and waits for the answer.
    func offerToRejoin() -> Bool {
        guard case .own(let rejoining?) = role, !finiteOrStopping, let shared = rejoining.target.reader, shared !== self,
              fanOut.outlets.count == 1, let outlet = fanOut.outlets.first, outlet.batcher.deadline == nil, outlet.feed.isDrained,
              monotonicSeconds() - lastOffer >= Self.offerInterval, let positions = levelPositions() else { return false }
        lastOffer = monotonicSeconds()
        let offer = RejoinOffer(name: outlet.name, positions: positions, outlet: rejoining.makeOutlet(), onJoin: rejoining.onJoin)
        shared.offer(offer)
        guard offer.wait(timeout: 1) else { return false }
        outlet.stats.openFiles.store(0, ordering: .relaxed)
        return true
    }

    /// Every open file's read offset, when none holds part of a line; nil otherwise.
    func levelPositions() -> [FileIdentity: UInt64]? {
        var positions: [FileIdentity: UInt64] = [:]
        for tailer in tailers {
            guard let p = tailer.levelPositions else { return nil }
            positions.merge(p) { a, _ in a }
        }
        return positions
    }
}
