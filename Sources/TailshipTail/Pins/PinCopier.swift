import Foundation
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// Copies a rotated file's unacknowledged bytes into a pin, and later ones as the
/// file grows. The original is only read: no link, lock or attribute of it
/// changes, so its rotator sees the file exactly as without Tailship.
/// On a filesystem that can share blocks (XFS, btrfs) the copy is a clone and
/// costs no space while the original exists; elsewhere only the head and the
/// unacknowledged tail are written, as a sparse file of the original's length.
enum PinCopier {
    /// `_IOW(0x94, 9, int)` from <linux/fs.h>: a function-like macro Swift cannot import.
    static let ficlone: UInt = 0x4004_9409
    static let block: UInt64 = 4096

    /// Copies `source` (when it still is `identity`) to `target` through a temporary
    /// name: the first `headBytes` and every byte from `from` (rounded down to a block) on.
    static func copy(_ source: String, identity: FileIdentity, to target: String, from: UInt64,
                     headBytes: UInt64 = UInt64(Fingerprint.maxLength)) -> FileSystemError? {
        let (src, st): (Int32, stat)
        switch openSource(source, identity: identity) {
        case .failure(let e): return e
        case .success(let opened): (src, st) = opened
        }
        defer { close(src) }
        let partial = ((target as NSString).deletingLastPathComponent) + "/.partial-" + (target as NSString).lastPathComponent
        unlink(partial)
        let dst = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard dst >= 0 else { return FileSystemError(errno) }
        let size = UInt64(st.st_size)
        var failure: FileSystemError?
        if ioctl(dst, ficlone, src) != 0 {
            let start = min(from / block * block, size)
            let head = min(headBytes, size)
            let ranges = start <= head ? [0..<size] : [0..<head, start..<size]
            for r in ranges where failure == nil && !r.isEmpty { failure = copyRange(src, dst, r) }
            if failure == nil, ftruncate(dst, off_t(size)) != 0 { failure = FileSystemError(errno) }
        }
        if failure == nil { failure = finish(dst, times: st) }
        close(dst)
        if failure == nil, rename(partial, target) != 0 { failure = FileSystemError(errno) }
        if let failure {
            unlink(partial)
            return failure
        }
        // Durable with its directory: a pin taken just before a crash must exist after it.
        fsyncDirectory((target as NSString).deletingLastPathComponent)
        return nil
    }

    /// Appends to `pin` what `source` (still `identity`) has beyond it; the pin's new length.
    static func extend(_ pin: String, from source: String, identity: FileIdentity) -> Result<UInt64, FileSystemError> {
        let (src, st): (Int32, stat)
        switch openSource(source, identity: identity) {
        case .failure(let e): return .failure(e)
        case .success(let opened): (src, st) = opened
        }
        defer { close(src) }
        var pst = stat()
        let dst = open(pin, O_WRONLY | O_CLOEXEC)
        guard dst >= 0 else { return .failure(FileSystemError(errno)) }
        defer { close(dst) }
        guard fstat(dst, &pst) == 0 else { return .failure(FileSystemError(errno)) }
        let have = UInt64(pst.st_size), size = UInt64(st.st_size)
        guard size > have else { return .success(have) }
        if let e = copyRange(src, dst, have..<size) ?? finish(dst, times: st) { return .failure(e) }
        return .success(size)
    }

    /// The original opened for reading, with its status; ENOENT when it was renamed or
    /// replaced since it was looked at (another file than `identity`).
    private static func openSource(_ path: String, identity: FileIdentity) -> Result<(Int32, stat), FileSystemError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FileSystemError(errno)) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            return .failure(FileSystemError(e))
        }
        guard UInt64(st.st_dev) == identity.device, UInt64(st.st_ino) == identity.inode else {
            close(fd)
            return .failure(FileSystemError(ENOENT))
        }
        return .success((fd, st))
    }

    /// Synced, with the original's times (the pin sorts by them, and a file older
    /// than the registry is history to it); the errno on failure.
    private static func finish(_ fd: Int32, times st: stat) -> FileSystemError? {
        guard fdatasync(fd) == 0 else { return FileSystemError(errno) }
        var times = [st.st_atim, st.st_mtim]
        _ = futimens(fd, &times)
        return nil
    }

    /// Copies bytes `range` of `src` to the same offsets of `dst`; the errno on failure.
    private static func copyRange(_ src: Int32, _ dst: Int32, _ range: Range<UInt64>) -> FileSystemError? {
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { buffer.deallocate() }
        var at = range.lowerBound
        while at < range.upperBound {
            let want = Int(min(UInt64(chunk), range.upperBound - at))
            let n = pread(src, buffer, want, off_t(at))
            if n < 0 {
                if errno == EINTR { continue }
                return FileSystemError(errno)
            }
            // Shorter than stat said: copy what there is.
            if n == 0 { return nil }
            var done = 0
            while done < n {
                let w = pwrite(dst, buffer + done, n - done, off_t(at) + off_t(done))
                if w < 0 {
                    if errno == EINTR { continue }
                    return FileSystemError(errno)
                }
                done += w
            }
            at += UInt64(n)
        }
        return nil
    }
}
