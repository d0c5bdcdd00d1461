import Logging
import Synchronization
import UnixSignals

/// How a backfill ended.
public enum BackfillOutcome: String, Sendable {
    case complete, interrupted
    case timedOut = "timed out"
}

/// What ends a backfill early: SIGINT/SIGTERM (the first drains for at most
/// `shutdown_timeout`, a second stops at once) and `--timeout`. Handled here,
/// not by the service group, because a group already shutting down (reading
/// done, draining with no deadline) would ignore them.
final class BackfillStops: Sendable {
    private let tasks: Mutex<[Task<Void, Never>]> = Mutex([])
    private let stoppedBy = Mutex<BackfillOutcome?>(nil)

    /// `.interrupted` or `.timedOut` once either happened.
    var outcome: BackfillOutcome? { stoppedBy.withLock { $0 } }

    init(daemon: Daemon, timeout: Duration?, logger: Logger) {
        let signals = Task { [self] in
            for await signal in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                let first = record(.interrupted)
                logger.warning(first ? "interrupted: stopping within shutdown_timeout; interrupt again to stop at once"
                                     : "interrupted again: stopping now", metadata: ["signal": "\(signal)"])
                await daemon.interrupt()
            }
        }
        var all = [signals]
        if let timeout {
            all.append(Task { [self] in
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                guard record(.timedOut) else { return }
                logger.warning("--timeout reached: stopping now; what was not acknowledged is sent at the next run")
                await daemon.expire()
            })
        }
        tasks.withLock { $0 = all }
    }

    /// Records the first way the backfill was stopped; true if this was it.
    private func record(_ outcome: BackfillOutcome) -> Bool {
        stoppedBy.withLock { s in
            guard s == nil else { return false }
            s = outcome
            return true
        }
    }

    func cancel() {
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }
}
