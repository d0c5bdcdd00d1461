#if canImport(Glibc)
import Glibc
#endif

/// A file as the kernel knows it while it exists: (device, inode).
/// Reused inodes are told apart by the head `Fingerprint`.
public struct FileIdentity: Hashable, Sendable, Codable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// The identity `stat` or `fstat` reported.
    public init(_ st: stat) {
        self.init(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    public var description: String { "\(device):\(inode)" }
}
