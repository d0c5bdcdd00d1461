import TailshipShip

/// What a reload may change in a running daemon, and which other keys changed
/// (those need a restart and are left as they are).
enum ConfigChanges {
    /// Keys (dotted paths, as `tailship check` prints them) that differ between
    /// `old` and `new` outside the reloadable ones: the policy, the log level,
    /// and the HTTP output's headers and auth.
    static func restartKeys(old: ResolvedConfig, new: ResolvedConfig) -> [String] {
        var diff = ConfigDiff()
        diff.compare(old, applyingReloadable(from: old, to: new))
        return diff.keys.sorted()
    }

    /// `base` with the reloadable settings of `source`: what runs after a reload.
    static func applyingReloadable(from source: ResolvedConfig, to base: ResolvedConfig) -> ResolvedConfig {
        var merged = base
        merged.policy = source.policy
        merged.policyPath = source.policyPath
        merged.logLevel = source.logLevel
        if case .http(var running) = base.output, case .http(let next) = source.output {
            running.headers = next.headers
            running.auth = next.auth
            merged.output = .http(running)
        }
        return merged
    }
}
