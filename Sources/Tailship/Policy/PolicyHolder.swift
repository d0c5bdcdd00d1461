import Synchronization
import TailshipPolicy

/// The policy in force, replaced whole on SIGHUP. The reader thread checks the
/// generation (one relaxed atomic load per line) and rebuilds its processor
/// only when it changed.
public final class PolicyHolder: Sendable {
    private let current: Mutex<AuditPolicy?>
    private let counter = Atomic<Int>(0)

    public init(_ policy: AuditPolicy?) {
        current = Mutex(policy)
    }

    public var generation: Int { counter.load(ordering: .acquiring) }
    public var policy: AuditPolicy? { current.withLock { $0 } }

    public func replace(with policy: AuditPolicy?) {
        current.withLock { $0 = policy }
        counter.add(1, ordering: .releasing)
    }
}
