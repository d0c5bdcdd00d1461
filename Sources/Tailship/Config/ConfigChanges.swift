import TailshipShip

/// What a reload may change in a running daemon, and which other keys changed
/// (those need a restart and are left as they are).
enum ConfigChanges {
    /// Keys (dotted paths, as `tailship check` prints them) that differ between
    /// `old` and `new` outside the reloadable ones: the policies, the log level,
    /// the HTTP outputs' headers and auth, and which outputs there are.
    static func restartKeys(old: ResolvedConfig, new: ResolvedConfig) -> [String] {
        var diff = ConfigDiff()
        diff.compare(old, applyingReloadable(from: old, to: new))
        return diff.keys.sorted()
    }

    /// `base` with the reloadable settings of `source`: what runs after a reload. Outputs
    /// only in `source` are added, outputs only in `base` removed.
    static func applyingReloadable(from source: ResolvedConfig, to base: ResolvedConfig) -> ResolvedConfig {
        var merged = base
        merged.policy = source.policy
        merged.policyPath = source.policyPath
        merged.logLevel = source.logLevel
        merged.outputs = base.outputs.compactMap { running in
            guard let next = source.output(named: running.name) else { return nil }
            var lane = running
            lane.policy = next.policy
            lane.policyPath = next.policyPath
            if case .http(var options) = running.output, case .http(let nextOptions) = next.output {
                options.headers = nextOptions.headers
                options.auth = nextOptions.auth
                lane.output = .http(options)
            }
            return lane
        } + source.outputs.filter { base.output(named: $0.name) == nil }
        // The top-level output values are the first output's.
        if let first = merged.outputs.first {
            merged.output = first.output
            merged.batch = first.batch
            merged.compressionLevel = first.compressionLevel
            merged.compressionEngine = first.compressionEngine
            merged.deadLetterDirectory = first.deadLetterDirectory
        }
        return merged
    }
}
