import TailshipBasics

/// A file's first bytes and content length (decompressed, for a .gz: from its
/// gzip trailer), looked at once while the file is unchanged.
final class ContentLooks: @unchecked Sendable {
    struct Look {
        var head: [UInt8]
        var contentLength: UInt64
    }
    private struct Key: Hashable {
        var identity: FileIdentity
        var size: UInt64
        var modified: Int64
    }
    private var cache: [Key: Look] = [:]
    private let fileSystem = PosixFileSystem()
    /// Files here are pins: copies, named by their original's identity, not their own.
    private let pinDirectory: String?

    init(pinDirectory: String? = nil) {
        self.pinDirectory = pinDirectory.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
    }

    func look(path: String, status: FileStatus, compressed: Bool) -> Look? {
        let key = Key(identity: status.identity, size: status.size, modified: status.modified)
        if let known = cache[key] { return known }
        let isPin = pinDirectory.map { path.hasPrefix($0) } ?? false
        guard case .success(let file) = fileSystem.open(path), isPin || file.status?.identity == status.identity else { return nil }
        let look: Look
        if compressed {
            look = Look(head: GzipStreamReader.head(file, limit: Fingerprint.maxLength),
                        contentLength: Self.trailerLength(file, size: status.size))
        } else {
            guard let head = file.head(limit: Fingerprint.maxLength) else { return nil }
            look = Look(head: head, contentLength: status.size)
        }
        cache[key] = look
        return look
    }

    /// Forgets files no longer around.
    func keep(_ identities: Set<FileIdentity>) {
        cache = cache.filter { identities.contains($0.key.identity) }
    }

    /// ISIZE, the last four bytes of a gzip stream: the decompressed length modulo 2^32
    /// (audit backups are far smaller). 0 for a file too short to have one.
    static func trailerLength(_ file: any OpenFile, size: UInt64) -> UInt64 {
        guard size >= 18 else { return 0 }
        var bytes = [UInt8](repeating: 0, count: 4)
        let n = bytes.withUnsafeMutableBytes { file.read(into: $0, at: size - 4) }
        guard n == 4 else { return 0 }
        return UInt64(bytes[0]) | UInt64(bytes[1]) << 8 | UInt64(bytes[2]) << 16 | UInt64(bytes[3]) << 24
    }
}
