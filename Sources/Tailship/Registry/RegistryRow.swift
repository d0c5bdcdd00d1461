import Foundation
import TailshipTail
#if canImport(Glibc)
import Glibc
#endif

/// One registry entry as an operator sees it: committed offset against the
/// file's current size. Shared by `tailship registry show` and the lag metrics.
public struct RegistryRow: Codable, Sendable, Equatable {
    /// `DEVICE:INODE`, what `registry forget` takes.
    public var id: String
    public var device: UInt64
    public var inode: UInt64
    public var path: String
    /// The committed offset of the output furthest behind (the only one, with one output).
    public var offset: UInt64
    /// Each output's committed offset; an output without this file has none.
    public var outputs: [String: UInt64] = [:]
    /// Content size now: the file's size if it is still at `path`, else the last size known; nil if unknown.
    public var size: UInt64?
    /// Bytes on disk not yet acknowledged (size minus offset).
    public var lag: UInt64?
    /// Whether the same file (device and inode) is still at `path`.
    public var present: Bool
    public var finalSize: UInt64?
    public var fingerprint: String
    public var fingerprintLength: Int
    public var lastSeen: Double

    enum CodingKeys: String, CodingKey {
        case id, device, inode, path, offset, outputs, size, lag, present
        case finalSize = "final_size", fingerprint, fingerprintLength = "fingerprint_length", lastSeen = "last_seen"
    }

    public init(_ e: RegistryEntry) {
        id = "\(e.device):\(e.inode)"
        device = e.device
        inode = e.inode
        path = e.path
        offset = e.offset
        finalSize = e.finalSize
        fingerprint = e.fingerprint
        fingerprintLength = e.fingerprintLength
        lastSeen = e.lastSeen
        var st = stat()
        present = stat(e.path, &st) == 0 && UInt64(st.st_dev) == e.device && UInt64(st.st_ino) == e.inode
        // A .gz's size on disk is compressed; offsets count decompressed bytes.
        let onDisk: UInt64? = present && !e.path.hasSuffix(".gz") ? UInt64(st.st_size) : nil
        size = e.finalSize ?? onDisk ?? e.size
        lag = size.map { $0 > e.offset ? $0 - e.offset : 0 }
    }

    /// Every entry, sorted by path.
    public static func rows(_ entries: [RegistryEntry]) -> [RegistryRow] {
        entries.map(RegistryRow.init).sorted { ($0.path, $0.id) < ($1.path, $1.id) }
    }

    /// One row per file over every output's entries (the same file is the same identity
    /// and fingerprint), with each output's offset; offset and lag are the furthest behind.
    public static func rows(_ set: RegistrySet) -> (outputs: [String], rows: [RegistryRow]) {
        var documents = set.outputs
        if let legacy = set.legacy, documents.isEmpty { documents["default"] = legacy }
        var byKey: [String: RegistryRow] = [:]
        for (name, document) in documents {
            for entry in document.entries {
                let key = "\(entry.device):\(entry.inode):\(entry.fingerprint)"
                var row = byKey[key] ?? RegistryRow(entry)
                if entry.lastSeen > row.lastSeen { row.path = entry.path; row.lastSeen = entry.lastSeen }
                row.outputs[name] = entry.offset
                row.offset = min(row.offset, entry.offset)
                row.lag = row.size.map { $0 > row.offset ? $0 - row.offset : 0 }
                byKey[key] = row
            }
        }
        return (documents.keys.sorted(), byKey.values.sorted { ($0.path, $0.id) < ($1.path, $1.id) })
    }
}
