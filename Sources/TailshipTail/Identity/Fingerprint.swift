import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// A hash of a file's first bytes, with how many bytes were hashed, so a short
/// file's fingerprint can be re-checked (and extended) as the file grows.
public struct Fingerprint: Hashable, Sendable, Codable {
    /// Bytes hashed at most: enough to include an audit event's `auditID`.
    public static let maxLength = 1024
    /// Bytes a fingerprint must cover to tell one audit log from another: past the first
    /// event's auditID (every event line starts with the same 40-odd bytes).
    public static let distinguishingLength = 256

    public var length: Int
    public var hash: UInt64

    public init(length: Int, hash: UInt64) {
        self.length = length
        self.hash = hash
    }

    /// Fingerprint of the first `min(limit, size)` bytes readable from `fd`.
    public static func read(fd: Int32, limit: Int = maxLength) -> Fingerprint? {
        head(fd: fd, limit: limit).map { Fingerprint(head: $0) }
    }

    /// Fingerprint of `head` (the first bytes of a file, decompressed for .gz).
    public init(head: [UInt8]) {
        self.init(length: head.count, hash: head.withUnsafeBytes { FNV1a.hash($0) })
    }

    /// The fingerprint of the bytes hashed so far followed by `more` (FNV-1a runs on).
    public func extended(with more: UnsafeRawBufferPointer) -> Fingerprint {
        Fingerprint(length: length + more.count, hash: FNV1a.hash(more, seed: hash))
    }

    /// Whether `head` starts with the bytes this fingerprint was taken over.
    public func matches(head: [UInt8]) -> Bool {
        guard length <= head.count else { return false }
        return hash == head.withUnsafeBytes { FNV1a.hash(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }

    /// Whether a file starting with `head` is the file this fingerprint was taken of,
    /// as far as can be told: an empty fingerprint only identifies a still-empty file,
    /// since after inode reuse it would match anything.
    public func identifies(head: [UInt8]) -> Bool {
        length == 0 ? head.isEmpty : matches(head: head)
    }

    /// Up to `limit` first bytes of the file behind `fd`.
    public static func head(fd: Int32, limit: Int = maxLength) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: limit)
        var got = 0
        while got < limit {
            let n = buffer.withUnsafeMutableBytes { raw in pread(fd, raw.baseAddress! + got, limit - got, off_t(got)) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            got += n
        }
        return Array(buffer[0..<got])
    }

    /// Whether `file` starts with the bytes this fingerprint was taken over.
    public func matches(_ file: any OpenFile) -> Bool {
        guard let now = file.head(limit: length) else { return false }
        return Fingerprint(head: now) == self
    }
}
