import Logging
import ServiceLifecycle
import TailshipShip
import UnixSignals

/// SIGHUP reads the configuration file again. The policy, the log level and
/// the HTTP output's headers and auth change at once; other changed keys are
/// logged and keep their running values until a restart; an invalid file is
/// refused and everything stays as it was. Trapped even without a file, so
/// SIGHUP never kills the daemon.
struct ConfigReloadService: Service {
    let initial: ResolvedConfig
    let policies: PolicyHolder
    let credentials: RequestCredentials?
    let logger: Logger

    func run() async throws {
        var running = initial
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            guard let path = running.sourcePath else {
                logger.notice("SIGHUP: started without --config, nothing to reload")
                continue
            }
            let next: ResolvedConfig
            do {
                next = try ResolvedConfig.load(path: path, overrides: running.overrides)
            } catch {
                logger.error("SIGHUP: new configuration refused; the running one stays in force", metadata: ["config": "\(path)", "error": "\(error)"])
                continue
            }
            let ignored = ConfigChanges.restartKeys(old: running, new: next)
            apply(next, over: running)
            running = ConfigChanges.applyingReloadable(from: next, to: running)
            if !ignored.isEmpty {
                logger.warning("SIGHUP: these settings changed but need a restart; their running values stay", metadata: [
                    "config": "\(path)", "keys": "\(ignored.joined(separator: ","))"])
            }
            logger.notice("SIGHUP: configuration reloaded", metadata: [
                "config": "\(path)", "policy": "\(next.policyPath ?? "none")", "rules": "\(next.policy?.rules.count ?? 0)",
                "log_level": "\(next.logLevel.rawValue)"])
        }
    }

    private func apply(_ next: ResolvedConfig, over running: ResolvedConfig) {
        policies.replace(with: next.policy)
        LogLevelControl.shared.level = next.logLevel
        if let credentials, case .http(let options) = next.output, case .http = running.output {
            credentials.replace(headers: options.headers, auth: options.auth)
        }
    }
}
