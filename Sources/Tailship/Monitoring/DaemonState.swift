import TailshipBasics
import Synchronization
import TailshipTail

/// What the daemon is doing, for readiness, metrics and systemd: written by
/// the reader, the registry writer and the pipeline; read by the monitoring server.
public final class DaemonState: Sendable {
    private let following = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    public let registryWrites = Atomic<Int>(0)
    public let registryWriteErrors = Atomic<Int>(0)
    /// Wall-clock nanoseconds of the last registry write; 0 before the first.
    public let registryLastWrite = Atomic<Int64>(0)
    public let policy = PolicyCounts()
    private let notifier: SystemdNotifier?

    public init(notifier: SystemdNotifier? = nil) {
        self.notifier = notifier
    }

    public var isFollowing: Bool { following.load(ordering: .acquiring) && !stopped.load(ordering: .acquiring) }

    /// The reader has opened its files and finished its first pass.
    func followingStarted() {
        guard !following.exchange(true, ordering: .acquiringAndReleasing) else { return }
        notifier?.send("READY=1\nSTATUS=following")
    }

    /// Shutdown has begun.
    func stopping() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        notifier?.send("STOPPING=1\nSTATUS=stopping")
    }

    func registryWritten() {
        registryWrites.add(1, ordering: .relaxed)
        registryLastWrite.store(UTCTime.nowNanoseconds(), ordering: .relaxed)
    }

    func registryWriteFailed() {
        registryWriteErrors.add(1, ordering: .relaxed)
    }
}
