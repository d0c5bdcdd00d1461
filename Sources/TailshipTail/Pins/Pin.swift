import Foundation
import TailshipBasics

/// A copy in the pin directory of a rotated file with unacknowledged bytes. It is
/// a file of Tailship's own (never a link: a second link to a log is seen by
/// logrotate through `st_nlink` and makes it refuse to rotate or compress it).
/// Named `<device>-<inode>-<from>-<head hash>-<original name>`: the original's
/// identity, the first byte of the copied tail (before it, only the head is
/// there: the rest is a hole), a hash of the first bytes (an inode is reused
/// once its file is deleted, so identity alone does not name content), and the
/// backup's own name, which keeps its rotation time.
public struct Pin: Sendable, Equatable {
    public var path: String
    /// The original file's identity (not the pin's own inode).
    public var identity: FileIdentity
    /// The backup's own name, e.g. `k8s_audit-2026-11-29T10-00-00.000.log.gz`.
    public var originalName: String
    /// The pin's length: the original's length when last copied.
    public var size: UInt64
    /// Seconds since the epoch: the original's modification time.
    public var modified: Double
    /// Bytes before `from` (past the head) were acknowledged when the pin was taken and are not in it.
    public var from: UInt64 = 0
    /// Bytes the pin takes on disk (a sparse copy holds only its head and tail).
    public var diskBytes: UInt64 = 0
    /// A hard link left by an earlier version (`.tailship-pins` beside the log): adopted as a copy at start.
    public var legacy = false

    public var compressed: Bool { originalName.hasSuffix(".gz") }

    static func name(for identity: FileIdentity, from: UInt64, head: [UInt8], originalName: String) -> String {
        let hash = head.withUnsafeBytes { FNV1a.hash($0) }
        let hex = String(hash, radix: 16)
        return "\(identity.device)-\(identity.inode)-\(from)-\(String(repeating: "0", count: 16 - hex.count) + hex)-\(originalName)"
    }

    /// What a pin's file name says, or nil for any other name. A name of three parts
    /// (`<device>-<inode>-<original name>`) is an earlier version's hard link.
    static func parse(_ name: String) -> (identity: FileIdentity, from: UInt64, originalName: String, legacy: Bool)? {
        let parts = name.split(separator: "-", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count >= 3, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        let identity = FileIdentity(device: device, inode: inode)
        if parts.count == 5, let from = UInt64(parts[2]), parts[3].count == 16, UInt64(parts[3], radix: 16) != nil, !parts[4].isEmpty {
            return (identity, from, String(parts[4]), false)
        }
        let original = name.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)[2]
        return original.isEmpty ? nil : (identity, 0, String(original), true)
    }
}
