import TailshipBasics
import Foundation
import TailshipTail
#if canImport(Glibc)
import Glibc
#endif

/// Writes lines the way kube-apiserver's lumberjack does: one write per line,
/// and past `maxBytes` close, rename to `<stem>-<UTC 2006-01-02T15-04-05.000><ext>`
/// and create a new empty file (mode 0600).
public final class RotatingWriter {
    public let path: String
    public let maxBytes: Int
    public private(set) var rotations = 0
    private var fd: Int32 = -1
    private var size = 0

    public init(path: String, maxBytes: Int) throws {
        self.path = path
        self.maxBytes = maxBytes
        try openFile()
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    public func write(line: String) throws {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        if size > 0 && size + bytes.count > maxBytes {
            try rotate()
        }
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw POSIXError(.EIO) }
        size += n
    }

    /// The name lumberjack gives a backup made at `date`.
    public static func backupName(for path: String, at date: Date) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        let stem = url.deletingPathExtension().lastPathComponent
        let c = CivilTime(seconds: date.timeIntervalSince1970)
        let stamp = String(format: "%04d-%02d-%02dT%02d-%02d-%02d.%03d", c.year, c.month, c.day, c.hour, c.minute, c.second, c.millisecond)
        return url.deletingLastPathComponent().appendingPathComponent("\(stem)-\(stamp)\(ext)").path
    }

    public func rotate() throws {
        close(fd)
        fd = -1
        var backup = Self.backupName(for: path, at: Date())
        while FileManager.default.fileExists(atPath: backup) {
            usleep(1000)
            backup = Self.backupName(for: path, at: Date())
        }
        guard rename(path, backup) == 0 else { throw POSIXError(.EIO) }
        rotations += 1
        try openFile()
    }

    private func openFile() throws {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var st = stat()
        fstat(fd, &st)
        size = Int(st.st_size)
    }
}
