import TailshipBasics
import Synchronization
import TailshipTail

/// When graceful shutdown began, so every stage drains against one deadline.
final class ShutdownClock: Sendable {
    let timeout: Double
    private let startedAt = Mutex<Double?>(nil)

    init(timeout: Double) {
        self.timeout = timeout
    }

    private let unbounded = Mutex(false)

    func start() {
        startedAt.withLock { if $0 == nil { $0 = monotonicSeconds() } }
    }

    /// Shutdown after a backfill finished reading: drain everything, no deadline.
    func startWithoutDeadline() {
        unbounded.withLock { $0 = true }
        start()
    }

    /// Monotonic time by which draining must end, once shutdown has begun.
    var deadline: Double? {
        if unbounded.withLock({ $0 }) { return startedAt.withLock { $0.map { _ in .greatestFiniteMagnitude } } }
        return startedAt.withLock { $0.map { $0 + timeout } }
    }

    var isStopping: Bool { startedAt.withLock { $0 != nil } }

    var isPastDeadline: Bool {
        guard let d = deadline else { return false }
        return monotonicSeconds() >= d
    }
}
