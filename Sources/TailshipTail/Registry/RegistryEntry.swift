import TailshipBasics
/// How far one file has been delivered. Keyed by identity; the fingerprint
/// tells a reused inode from the file the offset belongs to.
public struct RegistryEntry: Codable, Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    /// Bytes covered by `fingerprint`.
    public var fingerprintLength: Int
    /// FNV-1a of the first `fingerprintLength` bytes, as 16 hex digits.
    public var fingerprint: String
    /// The path the file was last seen at.
    public var path: String
    /// Every byte before this offset was acknowledged by the sink.
    public var offset: UInt64
    /// Unix time the file was last seen open or at a followed path.
    public var lastSeen: Double
    /// Set once the file is known to be final (rotated away, or a backup read
    /// to its end): its whole length. Shipped completely when `offset` reaches it.
    public var finalSize: UInt64?
    /// The file's size when last seen, to report what was lost if it disappears unshipped.
    public var size: UInt64?

    public init(identity: FileIdentity, fingerprint: Fingerprint, path: String, offset: UInt64, lastSeen: Double) {
        self.device = identity.device
        self.inode = identity.inode
        self.fingerprintLength = fingerprint.length
        self.fingerprint = Self.hex(fingerprint.hash)
        self.path = path
        self.offset = offset
        self.lastSeen = lastSeen
    }

    public var identity: FileIdentity { FileIdentity(device: device, inode: inode) }

    /// A final file whose every byte was acknowledged.
    public var isFullyShipped: Bool { finalSize.map { offset >= $0 } ?? false }

    public var fingerprintValue: Fingerprint? {
        guard let hash = UInt64(fingerprint, radix: 16) else { return nil }
        return Fingerprint(length: fingerprintLength, hash: hash)
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The registry file's contents.
public struct RegistryDocument: Codable, Sendable, Equatable {
    public static let currentVersion = 1
    public var version: Int
    /// Unix time this registry was first written. Unknown backups older than
    /// this predate Tailship (history); newer ones appeared while it was stopped.
    public var createdAt: Double?
    public var entries: [RegistryEntry]
    /// Final files whose inode was reused by a newer file: kept (a few) so that a
    /// compressed copy of them appearing later is still recognised.
    public var retired: [RegistryEntry]?
    /// FNV-1a (hex) of this document encoded without the checksum: a registry
    /// that parses but was changed underneath (a flipped bit) is caught too.
    public var checksum: String?

    public init(version: Int = RegistryDocument.currentVersion, createdAt: Double? = nil, entries: [RegistryEntry], retired: [RegistryEntry]? = nil) {
        self.version = version
        self.createdAt = createdAt
        self.entries = entries
        self.retired = retired
    }
}
