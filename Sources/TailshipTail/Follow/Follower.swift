#if canImport(Glibc)
import Glibc
#endif

/// One open file being read. Keeps its descriptor after the path is renamed
/// or deleted, so the file is read to its end before it is let go.
/// Confined to the reader thread.
public final class Follower {
    public let identity: FileIdentity
    /// The path the file was opened at (a renamed file keeps the old name here).
    public internal(set) var path: String
    public internal(set) var fingerprint: Fingerprint
    /// Registry epoch that commits for this file carry.
    public internal(set) var epoch: UInt64
    /// Next byte to read.
    public internal(set) var readOffset: UInt64
    var framer: LineFramer
    let fd: Int32
    /// The followed path no longer leads to this file.
    var rotatedAway = false
    /// Monotonic seconds when reading last found new bytes.
    var lastDataAt: Double

    init(fd: Int32, identity: FileIdentity, path: String, fingerprint: Fingerprint, epoch: UInt64, offset: UInt64, maxLineBytes: Int, now: Double) {
        self.fd = fd
        self.identity = identity
        self.path = path
        self.fingerprint = fingerprint
        self.epoch = epoch
        self.readOffset = offset
        self.framer = LineFramer(maxLineBytes: maxLineBytes)
        self.lastDataAt = now
    }

    deinit {
        close(fd)
    }

    /// Current size of the open file, or nil if fstat fails.
    var size: UInt64? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return UInt64(st.st_size)
    }

    /// Reads at `readOffset` into `buffer`; returns bytes read (0 at end), or -errno.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let n = pread(fd, buffer.baseAddress!, buffer.count, off_t(readOffset))
            if n < 0 && errno == EINTR { continue }
            return n < 0 ? -Int(errno) : n
        }
    }

    /// Extends a short fingerprint once the file has grown past it.
    func refreshFingerprint() -> Bool {
        guard fingerprint.length < Fingerprint.maxLength, readOffset > UInt64(fingerprint.length),
              let fp = Fingerprint.read(fd: fd), fp.length > fingerprint.length else { return false }
        fingerprint = fp
        return true
    }
}
