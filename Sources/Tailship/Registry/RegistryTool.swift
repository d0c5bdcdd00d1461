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

    /// Every entry with its current size and lag; empty when there is no registry yet.
    public func rows() throws -> [RegistryRow] {
        RegistryRow.rows(try RegistryStore(path: path).load()?.entries ?? [])
    }

    /// The rows as a table for a terminal.
    public static func table(_ rows: [RegistryRow]) -> String {
        var lines = [["ID", "OFFSET", "SIZE", "LAG", "STATE", "PATH"]]
        for r in rows {
            let state = r.finalSize.map { r.offset >= $0 ? "done" : "final" } ?? (r.present ? "live" : "gone")
            lines.append([r.id, "\(r.offset)", r.size.map(String.init) ?? "-", r.lag.map(String.init) ?? "-",
                          r.present || state == "done" ? state : "\(state),gone", r.path])
        }
        let widths = (0..<5).map { c in lines.map { $0[c].count }.max() ?? 0 }
        return lines.map { line in
            (0..<5).map { line[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + line[5]
        }.joined(separator: "\n") + "\n"
    }

    /// Removes the entries whose ID (`DEVICE:INODE`) or path is `key`; returns them.
    /// The file is read again from the start (or from its end, with start_at: end) when next seen.
    public func forget(_ key: String) throws -> [RegistryRow] {
        let lock = try RegistryLock(registryPath: path)
        defer { withExtendedLifetime(lock) {} }
        let store = RegistryStore(path: path)
        guard var document = try store.load() else { throw RegistryError(description: "registry \(path) does not exist") }
        let matches = document.entries.filter { "\($0.device):\($0.inode)" == key || $0.path == key }
        guard !matches.isEmpty else {
            throw RegistryError(description: "registry \(path) has no entry with ID or path \(key) (see tailship registry show)")
        }
        document.entries.removeAll { "\($0.device):\($0.inode)" == key || $0.path == key }
        try store.save(document)
        return matches.map(RegistryRow.init)
    }

    /// Deletes the registry: every file is read again from the beginning at the next start.
    public func reset() throws -> Int {
        let lock = try RegistryLock(registryPath: path)
        defer { withExtendedLifetime(lock) {} }
        let count = try RegistryStore(path: path).load()?.entries.count ?? 0
        for p in [path, path + ".tmp", path + ".prev"] where FileManager.default.fileExists(atPath: p) {
            try FileManager.default.removeItem(atPath: p)
        }
        fsyncDirectory((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
        return count
    }
}
