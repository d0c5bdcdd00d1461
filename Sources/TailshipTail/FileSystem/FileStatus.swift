import TailshipBasics

/// What `stat` says about a file, as far as following it needs.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case regular, directory, other
    }

    public var identity: FileIdentity
    public var kind: Kind
    /// Bytes on disk (compressed bytes for a .gz).
    public var size: UInt64
    /// Modification time, nanoseconds since the epoch.
    public var modified: Int64
    /// Names the file has; 0 once it was deleted while still open.
    public var links: UInt64

    public init(identity: FileIdentity, kind: Kind, size: UInt64, modified: Int64, links: UInt64) {
        self.identity = identity
        self.kind = kind
        self.size = size
        self.modified = modified
        self.links = links
    }

    public var isRegular: Bool { kind == .regular }
    /// Modification time in seconds.
    public var modifiedSeconds: Double { Double(modified) / 1e9 }
}

/// A failed file-system call: its errno.
public struct FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int32

    public init(_ code: Int32) {
        self.code = code
    }

    public var description: String { String(cString: strerror(code)) }
}

#if canImport(Glibc)
import Glibc
#endif
