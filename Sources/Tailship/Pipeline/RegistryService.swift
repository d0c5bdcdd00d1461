import Foundation
import Logging
import ServiceLifecycle
import TailshipTail

/// Writes the registry (every output's offsets in one file) at most every
/// `flush_interval` while offsets change, and once more, last of all, at shutdown.
struct RegistryService: Service {
    let lanes: LaneTable
    /// Offsets of configured outputs not running in this process (`backfill --output`), written back unchanged.
    let kept: [String: RegistryDocument]
    let store: RegistryStore
    let interval: Double
    let state: DaemonState
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var saved: UInt64 = 0
            var failures = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                saved = save(ifNewerThan: saved, failures: &failures)
            }
        }
        var failures = 0
        _ = save(ifNewerThan: 0, force: true, failures: &failures)
        if failures == 0 {
            logger.info("registry written", metadata: ["registry": "\(store.path)"])
        }
    }

    /// Every running output's snapshot and a generation that moves when any of them (or the set of outputs) changes.
    private func snapshot() -> (RegistrySet, UInt64) {
        var set = RegistrySet(outputs: kept)
        var generation = lanes.generation
        for lane in lanes.all {
            set.outputs[lane.name] = lane.document()
            generation &+= lane.reading.cursors.generation
        }
        return (set, generation)
    }

    /// Keeps the last good registry file on any failure (a full disk fails the
    /// temporary file, never the registry). Logs the first failure and then
    /// one line a minute, and says when writing works again.
    private func save(ifNewerThan saved: UInt64, force: Bool = false, failures: inout Int) -> UInt64 {
        let (set, generation) = snapshot()
        guard force || generation != saved else { return saved }
        for lane in lanes.all { lane.journal?.sync() }
        do {
            try store.save(set)
            state.registryWritten()
            if failures > 0 {
                logger.notice("registry written again", metadata: ["registry": "\(store.path)", "failed_attempts": "\(failures)"])
                failures = 0
            }
            return generation
        } catch {
            state.registryWriteFailed()
            let every = max(1, Int(60 / max(interval, 0.001)))
            if failures % every == 0 {
                logger.error("cannot write registry; the previous one stays in place; will retry",
                             metadata: ["registry": "\(store.path)", "error": "\(error)", "failed_attempts": "\(failures + 1)"])
            }
            failures += 1
            return saved
        }
    }
}
