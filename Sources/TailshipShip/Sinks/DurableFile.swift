#if canImport(Glibc)
import Glibc
#endif

public struct SinkIOError: Error, CustomStringConvertible {
    public let description: String
}

/// Small helpers for writes that must be on disk before they count.
public enum DurableFile {
    static func error(_ what: String, _ path: String) -> SinkIOError {
        SinkIOError(description: "\(path): \(what): \(String(cString: strerror(errno)))")
    }

    static func writeAll(fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw error("write failed", path)
            }
            done += n
        }
    }

    /// Creates `path` (0600) holding `bytes`, fsynced.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw error("cannot create", path) }
        defer { close(fd) }
        try bytes.withUnsafeBytes { try writeAll(fd: fd, $0, path: path) }
        guard fsync(fd) == 0 else { throw error("fsync failed", path) }
    }
}
