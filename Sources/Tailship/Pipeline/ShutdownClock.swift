import TailshipBasics
import Synchronization
import TailshipTail

/// When graceful shutdown began, so every stage drains against one deadline.
final class ShutdownClock: Sendable {
    let timeout: Double
    private struct State {
        var startedAt: Double?
        /// A backfill that finished reading drains with no deadline...
        var unbounded = false
        /// ...unless interrupted (SIGINT, SIGTERM), which bounds it from then on.
        var interrupted = false
        /// A second interrupt or `--timeout`: stop now.
        var expired = false
    }
    private let state = Mutex(State())

    init(timeout: Double) {
        self.timeout = timeout
    }

    func start() {
        state.withLock { if $0.startedAt == nil { $0.startedAt = monotonicSeconds() } }
    }

    /// Shutdown after a backfill finished reading: drain everything, no deadline (unless interrupted first).
    func startWithoutDeadline() {
        state.withLock {
            if !$0.interrupted { $0.unbounded = true }
            if $0.startedAt == nil { $0.startedAt = monotonicSeconds() }
        }
    }

    /// SIGINT/SIGTERM during a backfill: an unbounded drain gets `timeout` from now;
    /// a second interrupt ends it at once. Returns true for the second.
    @discardableResult
    func interrupt() -> Bool {
        state.withLock {
            if $0.interrupted {
                $0.expired = true
                return true
            }
            $0.interrupted = true
            if $0.unbounded || $0.startedAt == nil {
                $0.unbounded = false
                $0.startedAt = monotonicSeconds()
            }
            return false
        }
    }

    /// Ends draining at once (`--timeout`).
    func expire() {
        state.withLock {
            $0.interrupted = true
            $0.expired = true
            if $0.startedAt == nil { $0.startedAt = monotonicSeconds() }
        }
    }

    /// Monotonic time by which draining must end, once shutdown has begun.
    var deadline: Double? {
        state.withLock { s in
            guard let started = s.startedAt else { return nil }
            if s.expired { return 0 }
            return s.unbounded ? .greatestFiniteMagnitude : started + timeout
        }
    }

    var isStopping: Bool { state.withLock { $0.startedAt != nil } }

    var isPastDeadline: Bool {
        guard let d = deadline else { return false }
        return monotonicSeconds() >= d
    }
}
