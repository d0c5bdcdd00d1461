import Foundation
import TailshipShip

/// What a reload may change in a running daemon, and which other keys changed
/// (those need a restart and are left as they are).
enum ConfigChanges {
    /// Keys (dotted paths, as `tailship check` prints them) that differ between
    /// `old` and `new` outside the reloadable ones: the policy, the log level,
    /// and the HTTP output's headers and auth.
    static func restartKeys(old: ResolvedConfig, new: ResolvedConfig) -> [String] {
        let a = flatten(old.describe())
        let b = flatten(applyingReloadable(from: old, to: new).describe())
        var keys: [String] = []
        for key in Set(a.keys).union(b.keys) where a[key] != b[key] { keys.append(key) }
        return keys.sorted()
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

    /// `describe()` output as key path → value: nesting by indentation, list
    /// items as `[i]`; flow mappings (`{...}`) stay one value.
    static func flatten(_ yaml: String) -> [String: String] {
        var out: [String: String] = [:]
        var stack: [(indent: Int, key: String)] = []
        var itemCounts: [String: Int] = [:]
        for raw in yaml.split(separator: "\n") {
            var line = Substring(raw)
            var indent = line.prefix { $0 == " " }.count
            line = line.dropFirst(indent)
            while let last = stack.last, last.indent >= indent { stack.removeLast() }
            var parent = stack.last?.key ?? ""
            if line.hasPrefix("- ") {
                let n = itemCounts[parent, default: 0]
                itemCounts[parent] = n + 1
                parent += "[\(n)]"
                line = line.dropFirst(2)
                indent += 2
                stack.append((indent - 1, parent))
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let key = parent.isEmpty ? name : "\(parent).\(name)"
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.isEmpty {
                stack.append((indent, key))
            } else {
                out[key] = value
            }
        }
        return out
    }
}
