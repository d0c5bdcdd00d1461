import ServiceLifecycle

/// Sends WATCHDOG=1 every half WATCHDOG_USEC while the daemon's tasks run, so
/// systemd restarts a tailship whose concurrency runtime has stalled. Listed
/// first in the group, so it keeps pinging through a long shutdown drain.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Double

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                notifier.send("WATCHDOG=1")
                try? await Task.sleep(for: .milliseconds(max(1, Int(interval * 1000))))
            }
        }
    }
}
