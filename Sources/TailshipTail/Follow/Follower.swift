import TailshipBasics

/// One open file being read. Keeps its handle after the path is renamed
/// or deleted, so the file is read to its end before it is let go. A `.gz`
/// file is read decompressed; its offsets count decompressed bytes.
/// Confined to the reader thread.
public final class Follower {
    public let identity: FileIdentity
    /// The path the file was opened at (a renamed file keeps the old name here).
    public internal(set) var path: String
    public internal(set) var fingerprint: Fingerprint
    /// The bytes `fingerprint` was taken over: a copy shorter than the fingerprint
    /// (a small file, copied before lines that were read) is still recognised by them.
    var readHead: [UInt8]
    /// Registry epoch that commits for this file carry.
    public internal(set) var epoch: UInt64
    /// Next byte to read (decompressed, for .gz).
    public internal(set) var readOffset: UInt64
    /// Where the file stands: live, rotated away, or a backup (see `FilePhase`).
    public internal(set) var phase: FilePhase
    var framer: LineFramer
    let file: any OpenFile
    /// Set for a .gz file.
    let gzip: GzipStreamReader?
    /// Monotonic seconds when reading last found new bytes.
    var lastDataAt: Double

    init(file: any OpenFile, identity: FileIdentity, path: String, head: [UInt8], epoch: UInt64, offset: UInt64,
         maxLineBytes: Int, now: Double, gzip: GzipStreamReader? = nil, phase: FilePhase) {
        self.file = file
        self.identity = identity
        self.path = path
        self.fingerprint = Fingerprint(head: head)
        self.readHead = head
        self.epoch = epoch
        self.readOffset = offset
        self.framer = LineFramer(maxLineBytes: maxLineBytes)
        self.lastDataAt = now
        self.gzip = gzip
        self.phase = phase
    }

    /// Whether nothing will be written to this file any more.
    var isFinal: Bool { phase.isFinal }

    /// Current size of the open file (compressed size for .gz), or nil if fstat fails.
    var size: UInt64? { file.status?.size }

    /// Whether the file has no name left on disk.
    var isDeleted: Bool { file.status?.links == 0 }

    /// Reads the next bytes into `buffer`; returns bytes read (0 at end), or -errno.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        if let gzip {
            let n = gzip.read(into: buffer)
            return n < 0 ? -Int(EIO) : n
        }
        return file.read(into: buffer, at: readOffset)
    }

    /// Read to the end: everything there is has been read.
    var atEnd: Bool {
        if let gzip { return gzip.isComplete }
        guard let size else { return false }
        return readOffset >= size
    }

    /// Forgets what was read: the file was truncated and is read again from its start.
    func restart(epoch: UInt64) {
        framer.reset()
        readOffset = 0
        fingerprint = Fingerprint(head: [])
        readHead = []
        self.epoch = epoch
    }

    /// Whether the first bytes no longer match the fingerprint (rewritten in place).
    var headChanged: Bool {
        gzip == nil && fingerprint.length > 0 && !fingerprint.matches(file)
    }

    /// Extends a short fingerprint with bytes just read at `base` that carry on from it.
    /// Taken from what was read, so a truncation right after the read cannot leave
    /// the file's entry without a fingerprint of the bytes shipped.
    func noteRead(_ bytes: UnsafeRawBufferPointer, at base: UInt64) -> Bool {
        guard gzip == nil, fingerprint.length < Fingerprint.maxLength else { return false }
        let start = UInt64(fingerprint.length)
        guard base <= start, base + UInt64(bytes.count) > start else { return false }
        let end = min(bytes.count, Fingerprint.maxLength - Int(base))
        let more = UnsafeRawBufferPointer(rebasing: bytes[Int(start - base)..<end])
        fingerprint = fingerprint.extended(with: more)
        readHead += more
        return true
    }

    /// Whether this file's first bytes now and `head` agree as far as both go (and that is not nothing).
    func startsLike(_ head: [UInt8]) -> Bool {
        guard let mine = file.head(limit: min(head.count, Fingerprint.maxLength)), !mine.isEmpty else { return false }
        return head.starts(with: mine)
    }

    /// Extends a short fingerprint once the file has grown past it.
    /// Only while the file still is what was read: same first bytes, not shorter than
    /// the read offset. A file truncated and rewritten meanwhile keeps its old
    /// fingerprint, so the truncation is noticed and the copy still recognised.
    func refreshFingerprint() -> Bool {
        guard gzip == nil, fingerprint.length < Fingerprint.maxLength, readOffset > UInt64(fingerprint.length),
              let size, size >= readOffset, let head = file.head(limit: Fingerprint.maxLength),
              head.count > fingerprint.length, fingerprint.identifies(head: Array(head[0..<fingerprint.length])) else { return false }
        fingerprint = Fingerprint(head: head)
        readHead = head
        return true
    }
}

#if canImport(Glibc)
import Glibc
#endif
