import Foundation
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// The pin directory on disk: hard links that keep rotated files whose bytes
/// are not acknowledged yet, when lumberjack or logrotate delete them, and
/// across restarts. A link costs no space while the original exists.
public struct PinDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Why pins cannot be taken, or nil when they can: the directory is created if
    /// missing, must be writable, and a link from `probe` (a file in the input's
    /// directory, if one exists) must work: link(2) fails across filesystems and
    /// across mounts of one filesystem (EXDEV).
    public func prepare(probe: String?) -> String? {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            return "cannot create the pin directory: \(error.localizedDescription)"
        }
        guard access(path, W_OK) == 0 else { return "the pin directory is not writable: \(String(cString: strerror(errno)))" }
        guard let probe else { return nil }
        let test = "\(path)/.probe-\(getpid())"
        unlink(test)
        guard link(probe, test) == 0 else {
            let e = errno
            if e == ENOENT { return nil }
            return e == EXDEV ? "the pin directory is on another filesystem or mount than \(probe) (EXDEV); hard links cannot cross it"
                : "cannot link \(probe) into the pin directory: \(String(cString: strerror(e)))"
        }
        unlink(test)
        return nil
    }

    /// The pins there now, oldest first.
    public func list() -> [Pin] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        var pins: [Pin] = []
        for name in names {
            guard let (identity, original) = Pin.parse(name) else { continue }
            var st = stat()
            let full = "\(path)/\(name)"
            guard stat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            pins.append(Pin(path: full, identity: identity, originalName: original, size: UInt64(st.st_size),
                            modified: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9))
        }
        return pins.sorted { ($0.modified, $0.path) < ($1.modified, $1.path) }
    }

    /// The pins of an input's rotated files (a directory may be shared by inputs).
    public func list(for patterns: [String]) -> [Pin] {
        let dirs = Set(patterns.map { ($0 as NSString).deletingLastPathComponent })
        return list().filter { pin in dirs.contains { Tailer.belongs("\($0)/\(pin.originalName)", to: patterns) } }
    }

    /// Links `source` (whose identity is `identity`) into the directory; the errno on failure.
    public func pin(_ source: String, identity: FileIdentity) -> Result<String, FileSystemError> {
        let name = Pin.name(for: identity, originalName: (source as NSString).lastPathComponent)
        let target = "\(path)/\(name)"
        guard link(source, target) == 0 else {
            let e = errno
            return e == EEXIST ? .success(target) : .failure(FileSystemError(e))
        }
        // The link is made durable with the directory: a pin taken just before a crash must exist after it.
        fsyncDirectory(path)
        return .success(target)
    }

    /// Removes a pin (the original, if it still exists, is untouched).
    public func release(_ pin: Pin) {
        unlink(pin.path)
    }
}
