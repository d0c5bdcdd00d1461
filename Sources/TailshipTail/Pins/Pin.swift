import Foundation
import TailshipBasics

/// A hard link in the pin directory to a rotated file with unacknowledged bytes.
/// Named `<device>-<inode>-<original name>`: unique while it exists (the link
/// keeps the inode from being reused), and it keeps the name's rotation time.
public struct Pin: Sendable, Equatable {
    public var path: String
    public var identity: FileIdentity
    /// The backup's own name, e.g. `k8s_audit-2026-11-29T10-00-00.000.log.gz`.
    public var originalName: String
    public var size: UInt64
    /// Seconds since the epoch.
    public var modified: Double

    public var compressed: Bool { originalName.hasSuffix(".gz") }

    static func name(for identity: FileIdentity, originalName: String) -> String {
        "\(identity.device)-\(identity.inode)-\(originalName)"
    }

    /// The identity and original name in a pin's file name, or nil for any other name.
    static func parse(_ name: String) -> (identity: FileIdentity, originalName: String)? {
        let parts = name.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let device = UInt64(parts[0]), let inode = UInt64(parts[1]), !parts[2].isEmpty else { return nil }
        return (FileIdentity(device: device, inode: inode), String(parts[2]))
    }
}
