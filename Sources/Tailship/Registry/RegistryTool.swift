import TailshipBasics
import Foundation
import TailshipTail

/// `tailship registry show|forget|reset`: read the registry, or change it
/// while no daemon holds it.
public struct RegistryTool: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The outputs, and every file with each output's offset, its current size and lag; empty when there is no registry yet.
    public func rows() throws -> (outputs: [String], rows: [RegistryRow]) {
        guard let set = try RegistryStore(path: path).load() else { return ([], []) }
        return RegistryRow.rows(set)
    }

    /// The rows as a table for a terminal: a committed-offset column per output (`-`: that
    /// output has no entry for the file); LAG and STATE for the output furthest behind.
    public static func table(outputs: [String], _ rows: [RegistryRow]) -> String {
        var lines = [["ID"] + outputs.map { "OFFSET:\($0)" } + ["SIZE", "LAG", "STATE", "PATH"]]
        for r in rows {
            let state = r.finalSize.map { r.offset >= $0 ? "done" : "final" } ?? (r.present ? "live" : "gone")
            lines.append([r.id] + outputs.map { r.outputs[$0].map(String.init) ?? "-" }
                         + [r.size.map(String.init) ?? "-", r.lag.map(String.init) ?? "-", r.present || state == "done" ? state : "\(state),gone", r.path])
        }
        let columns = lines[0].count - 1
        let widths = (0..<columns).map { c in lines.map { $0[c].count }.max() ?? 0 }
        return lines.map { line in
            (0..<columns).map { line[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + line[columns]
        }.joined(separator: "\n") + "\n"
    }

    /// Removes the entries whose ID (`DEVICE:INODE`) or path is `key`; returns them.
    /// The file is read again from the start (or from its end, with start_at: end) when next seen.
    public func forget(_ key: String) throws -> [RegistryRow] {
        let lock = try RegistryLock(registryPath: path)
        defer { withExtendedLifetime(lock) {} }
        let store = RegistryStore(path: path)
        guard var set = try store.load() else { throw RegistryError(description: "registry \(path) does not exist") }
        if let legacy = set.legacy, set.outputs.isEmpty { set.outputs[ResolvedConfig.defaultOutputName] = legacy }
        let matching = { (e: RegistryEntry) in "\(e.device):\(e.inode)" == key || e.path == key }
        let matches = RegistryRow.rows(set).rows.filter { row in set.outputs.values.contains { $0.entries.contains { matching($0) && "\($0.device):\($0.inode)" == row.id } } }
        guard !matches.isEmpty else {
            throw RegistryError(description: "registry \(path) has no entry with ID or path \(key) (see tailship registry show)")
        }
        // Every output forgets it.
        for name in set.outputs.keys { set.outputs[name]?.entries.removeAll(where: matching) }
        try store.save(set)
        return matches
    }

    /// Deletes the registry: every file is read again from the beginning at the next start.
    public func reset() throws -> Int {
        let lock = try RegistryLock(registryPath: path)
        defer { withExtendedLifetime(lock) {} }
        let count = try RegistryStore(path: path).load().map { RegistryRow.rows($0).rows.count } ?? 0
        for p in [path, path + ".tmp", path + ".prev"] where FileManager.default.fileExists(atPath: p) {
            try FileManager.default.removeItem(atPath: p)
        }
        fsyncDirectory((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
        return count
    }
}
