import Foundation
import Logging
import ServiceLifecycle
import TailshipTail

/// Writes the registry at most every `flush_interval` while offsets change,
/// and once more, last of all, at shutdown.
struct RegistryService: Service {
    let registry: Registry
    let store: RegistryStore
    let interval: Double
    let state: DaemonState
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var saved: UInt64 = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                saved = save(ifNewerThan: saved)
            }
        }
        _ = save(ifNewerThan: 0, force: true)
        logger.info("registry written", metadata: ["registry": "\(store.path)"])
    }

    private func save(ifNewerThan saved: UInt64, force: Bool = false) -> UInt64 {
        let (document, generation) = registry.snapshot()
        guard force || generation != saved else { return saved }
        do {
            try store.save(document)
            state.registryWritten()
            return generation
        } catch {
            logger.error("cannot write registry; will retry", metadata: ["error": "\(error)"])
            return saved
        }
    }
}
