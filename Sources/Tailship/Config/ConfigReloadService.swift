import Logging
import ServiceLifecycle
import TailshipShip
import UnixSignals

/// SIGHUP reads the configuration file again. The policies, the log level and
/// the HTTP outputs' headers and auth change at once, outputs are added (from
/// `start_at`) and removed; other changed keys are logged and keep their running
/// values until a restart; an invalid file is refused and everything stays as it
/// was. Trapped even without a file, so SIGHUP never kills the daemon.
struct ConfigReloadService: Service {
    let initial: ResolvedConfig
    let policies: PolicyHolder
    let lanes: LanesService
    let context: Lane.Context
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
            let merged = ConfigChanges.applyingReloadable(from: next, to: running)
            apply(next, over: running, merged: merged)
            running = merged
            if !ignored.isEmpty {
                logger.warning("SIGHUP: these settings changed but need a restart; their running values stay", metadata: [
                    "config": "\(path)", "keys": "\(ignored.joined(separator: ","))"])
            }
            logger.notice("SIGHUP: configuration reloaded", metadata: [
                "config": "\(path)", "policy": "\(next.policyPath ?? "none")", "rules": "\(next.policy?.rules.count ?? 0)",
                "log_level": "\(next.logLevel.rawValue)"])
        }
    }

    private func apply(_ next: ResolvedConfig, over running: ResolvedConfig, merged: ResolvedConfig) {
        policies.replace(with: next.policy)
        LogLevelControl.shared.level = next.logLevel
        for lane in lanes.table.all {
            guard let output = next.output(named: lane.name) else {
                logger.notice("SIGHUP: output removed; it stops after draining what it has taken", metadata: ["output": "\(lane.name)"])
                lanes.send(.remove(lane.name))
                continue
            }
            lane.outputPolicy.replace(with: output.policy)
            if let credentials = lane.credentials, case .http(let options) = output.output {
                credentials.replace(headers: options.headers, auth: options.auth)
            }
        }
        for output in next.outputs where running.output(named: output.name) == nil {
            do {
                let lane = try Lane(config: merged, output: output, start: .own(nil), context: context, primary: false, audit: nil, onComplete: nil)
                lanes.send(.add(lane))
                logger.notice("SIGHUP: output added; it starts at each file's start_at position", metadata: ["output": "\(output.name)"])
            } catch {
                logger.error("SIGHUP: output could not be added", metadata: ["output": "\(output.name)", "error": "\(error)"])
            }
        }
    }
}
