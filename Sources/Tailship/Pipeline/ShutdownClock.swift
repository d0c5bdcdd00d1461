import Synchronization
import TailshipTail

/// When graceful shutdown began, so every stage drains against one deadline.
final class ShutdownClock: Sendable {
    let timeout: Double
    private let startedAt = Mutex<Double?>(nil)

    init(timeout: Double) {
        self.timeout = timeout
    }

    func start() {
        startedAt.withLock { if $0 == nil { $0 = monotonicSeconds() } }
    }

    /// Monotonic time by which draining must end, once shutdown has begun.
    var deadline: Double? { startedAt.withLock { $0.map { $0 + timeout } } }

    var isStopping: Bool { startedAt.withLock { $0 != nil } }

    var isPastDeadline: Bool {
        guard let d = deadline else { return false }
        return monotonicSeconds() >= d
    }
}
