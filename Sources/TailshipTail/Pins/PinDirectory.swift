import Foundation
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// The pin directory on disk: copies of rotated files whose bytes are not
/// acknowledged yet, kept when lumberjack or logrotate delete the originals
/// and across restarts. Tailship's own files, in its own state directory by
/// default: nothing is added to the log's directory and no link count changes.
public struct PinDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Why pins cannot be taken, or nil when they can: the directory is created if missing and must be writable.
    public func prepare() -> String? {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            return "cannot create the pin directory: \(error.localizedDescription)"
        }
        guard access(path, W_OK) == 0 else { return "the pin directory is not writable: \(String(cString: strerror(errno)))" }
        return nil
    }

    /// The pins there now, oldest first (a copy cut short by a crash is not one).
    public func list() -> [Pin] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return names.compactMap { pin(named: $0) }.sorted { ($0.modified, $0.path) < ($1.modified, $1.path) }
    }

    /// The pin of that name here, if there is one.
    func pin(named name: String) -> Pin? {
        guard !name.hasPrefix("."), let parsed = Pin.parse(name) else { return nil }
        var st = stat()
        let full = "\(path)/\(name)"
        guard stat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = UInt64(st.st_size)
        return Pin(path: full, identity: parsed.identity, originalName: parsed.originalName, size: size,
                   modified: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9, from: parsed.from,
                   diskBytes: min(size, UInt64(st.st_blocks) * 512), legacy: parsed.legacy)
    }

    /// The pins of an input's rotated files (a directory may be shared by inputs).
    public func list(for patterns: [String]) -> [Pin] {
        let dirs = Set(patterns.map { ($0 as NSString).deletingLastPathComponent })
        return list().filter { pin in dirs.contains { Tailer.belongs("\($0)/\(pin.originalName)", to: patterns) } }
    }

    /// Copies what `source` (whose identity is `identity` and first bytes `head`) holds
    /// from `from` on; the pin, or the errno on failure.
    public func pin(_ source: String, identity: FileIdentity, head: [UInt8], from: UInt64) -> Result<Pin, FileSystemError> {
        let name = Pin.name(for: identity, from: from, head: head, originalName: (source as NSString).lastPathComponent)
        if let existing = pin(named: name) { return .success(existing) }
        if let failure = PinCopier.copy(source, identity: identity, to: "\(path)/\(name)", from: from) { return .failure(failure) }
        return pin(named: name).map { .success($0) } ?? .failure(FileSystemError(ENOENT))
    }

    /// Brings a pin up to the original's length (a copy taken while its rotator was still writing it).
    public func extend(_ pin: Pin, from source: String) -> Result<UInt64, FileSystemError> {
        PinCopier.extend(pin.path, from: source, identity: pin.identity)
    }

    /// Adopts an earlier version's pins (hard links in `legacy`) as copies here, whole,
    /// then removes the links and, once empty, the directory; how many were adopted.
    public func adopt(legacy: String) -> Int {
        let old = PinDirectory(path: legacy)
        var adopted = 0
        for pin in old.list() where pin.legacy {
            let head = Self.head(pin.path)
            guard PinCopier.copy(pin.path, identity: statIdentity(pin.path) ?? pin.identity,
                                 to: "\(path)/\(Pin.name(for: pin.identity, from: 0, head: head, originalName: pin.originalName))",
                                 from: 0) == nil else { continue }
            unlink(pin.path)
            adopted += 1
        }
        rmdir(legacy)
        return adopted
    }

    /// The first bytes of a file as it is on disk (what a pin's name hashes).
    static func head(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        return Fingerprint.head(fd: fd) ?? []
    }

    private func statIdentity(_ path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// Removes a pin (the original, if it still exists, is untouched).
    public func release(_ pin: Pin) {
        unlink(pin.path)
    }
}
