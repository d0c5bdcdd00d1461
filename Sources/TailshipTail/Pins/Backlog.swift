import TailshipBasics

/// Input not yet acknowledged, over every file that holds some: live files,
/// rotated files still being read or not yet opened, `.gz` backups (by their
/// decompressed length) and pins. A content found twice (a backup and its pin,
/// a rotated file and its .gz) counts once.
public struct Backlog: Sendable, Equatable {
    public var bytes: UInt64 = 0
    /// Modification time (Unix seconds) of the oldest file with unacknowledged bytes.
    public var oldestModified: Double?

    public struct File: Sendable {
        public var identity: FileIdentity
        /// First bytes (decompressed): equal heads are one content.
        public var head: [UInt8]
        public var unshipped: UInt64
        public var modified: Double

        public init(identity: FileIdentity, head: [UInt8], unshipped: UInt64, modified: Double) {
            self.identity = identity
            self.head = head
            self.unshipped = unshipped
            self.modified = modified
        }
    }

    public init() {}

    public init(_ files: [File]) {
        // One identity may be two contents: a pin keeps its deleted original's
        // identity, and the inode may meanwhile hold a new file.
        var heads: [FileIdentity: [[UInt8]]] = [:]
        var contents = Set<[UInt8]>()
        for f in files where f.unshipped > 0 {
            let known = heads[f.identity] ?? []
            if known.contains(where: { $0.isEmpty || f.head.isEmpty || LossWatch.sameContent($0, f.head) }) { continue }
            heads[f.identity, default: []].append(f.head)
            // An empty head says nothing about content: counted on its own.
            if !f.head.isEmpty { guard contents.insert(f.head).inserted else { continue } }
            bytes += f.unshipped
            oldestModified = min(oldestModified ?? f.modified, f.modified)
        }
    }

    public mutating func add(_ other: Backlog) {
        bytes += other.bytes
        if let o = other.oldestModified { oldestModified = min(oldestModified ?? o, o) }
    }
}
