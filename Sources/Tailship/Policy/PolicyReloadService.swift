import Logging
import ServiceLifecycle
import TailshipPolicy
import UnixSignals

/// SIGHUP reads the policy file again. An invalid new policy is refused with
/// a log line and the one in force stays. Trapped even without a policy, so
/// SIGHUP never kills the daemon.
struct PolicyReloadService: Service {
    let path: String?
    let holder: PolicyHolder
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            guard let path else {
                logger.info("SIGHUP: no policy configured, nothing to reload")
                continue
            }
            do {
                let policy = try PolicyLoader.load(path: path)
                holder.replace(with: policy)
                logger.notice("SIGHUP: policy reloaded", metadata: ["policy": "\(path)", "rules": "\(policy.rules.count)"])
            } catch {
                logger.error("SIGHUP: new policy refused; the previous one stays in force", metadata: ["policy": "\(path)", "error": "\(error)"])
            }
        }
    }
}
