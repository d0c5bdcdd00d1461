import Dispatch
import Synchronization
import TailshipBasics
import TailshipTail

/// A lane reading on its own, idle and drained, offers the shared reader to be fed by it
/// again. The shared reader accepts on its own thread, between passes, only when it is
/// level: the same files open at the same offsets, no partial line held. The lane's
/// reader waits for the answer, and withdraws if none comes in time.
final class RejoinOffer: Sendable {
    enum State { case pending, accepted, rejected, withdrawn }

    let name: String
    /// Each open file's read offset in the lane's own reader.
    let positions: [FileIdentity: UInt64]
    /// The outlet the shared reader feeds from now on (a new batcher on the lane's queue).
    let outlet: Outlet
    /// Called by the shared reader on accepting, before any line reaches the outlet: the lane commits to its cursors from then on.
    let onJoin: @Sendable (SharedCursors) -> Void
    private let state = Mutex(State.pending)
    private let answered = DispatchSemaphore(value: 0)

    init(name: String, positions: [FileIdentity: UInt64], outlet: Outlet, onJoin: @escaping @Sendable (SharedCursors) -> Void) {
        self.name = name
        self.positions = positions
        self.outlet = outlet
        self.onJoin = onJoin
    }

    /// Shared reader: takes the offer unless it was withdrawn; then `joined()` once the lane is switched over.
    func accept() -> Bool {
        state.withLock { s in
            guard s == .pending else { return false }
            s = .accepted
            return true
        }
    }

    /// Shared reader: the lane commits to the shared cursors and its outlet is fed.
    func joined() { answered.signal() }

    /// Shared reader: not level now.
    func reject() {
        let settled = state.withLock { s in
            guard s == .pending else { return false }
            s = .rejected
            return true
        }
        if settled { answered.signal() }
    }

    /// Lane's reader: true once accepted and switched over; false when rejected, or
    /// withdrawn after `timeout` seconds with no answer.
    func wait(timeout: Double) -> Bool {
        if answered.wait(timeout: .now() + timeout) == .success { return state.withLock { $0 == .accepted } }
        let outcome = state.withLock { s in
            if s == .pending { s = .withdrawn }
            return s
        }
        guard outcome == .accepted else { return false }
        // Accepted just now: the switch is under way on the shared reader's thread.
        answered.wait()
        return true
    }
}

/// The shared reader, once it exists: lanes made before it (and by reloads) offer to rejoin it.
final class SharedReaderRef: Sendable {
    private let value = Mutex<ReaderLoop?>(nil)
    var reader: ReaderLoop? { value.withLock { $0 } }
    func set(_ reader: ReaderLoop?) { value.withLock { $0 = reader } }
}
