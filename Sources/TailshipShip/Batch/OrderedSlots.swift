import Synchronization

/// Request slots for a `StagedSink`, granted in ticket order: batches compressed in
/// parallel finish in any order, but they start sending in the order the shipper
/// took them, so with `max_in_flight: 1` the receiver still gets them in file order.
/// `close` releases every waiter with false (shutdown).
final class OrderedSlots: Sendable {
    private struct State {
        var free: Int
        var next: UInt64 = 0
        var closed = false
        var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        /// Tickets that will never ask.
        var skipped: Set<UInt64> = []

        /// Hands free slots to the waiters whose turn it is.
        mutating func admit() -> [CheckedContinuation<Bool, Never>] {
            var ready: [CheckedContinuation<Bool, Never>] = []
            while true {
                if skipped.remove(next) != nil {
                    next += 1
                } else if free > 0, let c = waiters.removeValue(forKey: next) {
                    free -= 1
                    next += 1
                    ready.append(c)
                } else {
                    return ready
                }
            }
        }
    }
    private let state: Mutex<State>

    init(_ count: Int) { state = Mutex(State(free: max(1, count))) }

    /// True when a slot was taken for `ticket` (after every earlier ticket took one); false once closed.
    func acquire(ticket: UInt64) async -> Bool {
        await withCheckedContinuation { c in
            let (refused, ready) = state.withLock { s -> (Bool, [CheckedContinuation<Bool, Never>]) in
                if s.closed { return (true, []) }
                s.waiters[ticket] = c
                return (false, s.admit())
            }
            if refused { c.resume(returning: false) }
            for r in ready { r.resume(returning: true) }
        }
    }

    /// A ticket that will never ask (its batch was cancelled before sending): later ones may go.
    func skip(ticket: UInt64) {
        let ready = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
            s.skipped.insert(ticket)
            return s.admit()
        }
        for r in ready { r.resume(returning: true) }
    }

    func release() {
        let ready = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
            s.free += 1
            return s.admit()
        }
        for r in ready { r.resume(returning: true) }
    }

    func close() {
        let waiters = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
            s.closed = true
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume(returning: false) }
    }
}
