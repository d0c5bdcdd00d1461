import TailshipBasics
import Logging
import ServiceLifecycle
import TailshipShip
import TailshipTail

/// Ships queued batches until the reader has finished the queue, or until the
/// shutdown deadline passes; batches not acknowledged by then stay uncommitted.
struct ShipperService: Service {
    let shipper: Shipper
    let sink: any Sink
    let shutdown: ShutdownClock
    let logger: Logger

    func run() async throws {
        let timedOut = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await shipper.run()
                return false
            }
            group.addTask {
                try await gracefulShutdown()
                shutdown.start()
                // The deadline can move (backfill: none), so look again every 100 ms.
                while let deadline = shutdown.deadline, deadline > monotonicSeconds() {
                    try await Task.sleep(for: .milliseconds(Int(min(0.1, deadline - monotonicSeconds()) * 1000) + 1))
                }
                return true
            }
            let first = try await group.next() ?? false
            if first {
                group.cancelAll()
            } else {
                // Drained: stay up until this service's turn to stop comes.
                try? await gracefulShutdown()
                group.cancelAll()
            }
            return first
        }
        if timedOut {
            logger.warning("shutdown_timeout reached with batches not acknowledged; they will be sent again at the next start")
        }
        await sink.shutdown()
    }
}
