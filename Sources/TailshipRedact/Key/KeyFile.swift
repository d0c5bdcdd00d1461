import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A key kept in a file, read again when the file changes (inode, size or modification
/// time), looked at no more than once a second. The key is the file's content without
/// surrounding whitespace, so `openssl rand -hex 32 > key` makes one.
public final class KeyFile: Sendable {
    public let path: String
    private struct State {
        var key: RedactionKey
        var stamp: [Int]
        var checkedAt: Double
        var failing = false
    }
    private let state: Mutex<State>
    /// Called with a message when a changed file cannot be used (the last good key stays).
    private let onProblem: @Sendable (String) -> Void

    /// Reads the key now: a file that cannot be read or holds too short a key is an error.
    public init(path: String, onProblem: @escaping @Sendable (String) -> Void = { _ in }) throws(RedactionKeyError) {
        self.path = path
        self.onProblem = onProblem
        let (key, stamp) = try Self.read(path)
        state = Mutex(State(key: key, stamp: stamp, checkedAt: Self.now()))
    }

    /// The current key: the file is looked at again at most once a second.
    public func key() -> RedactionKey {
        let now = Self.now()
        if let key = state.withLock({ now - $0.checkedAt < 1 ? $0.key : nil }) { return key }
        let stamp = Self.stamp(path)
        var problem: String?
        let key = state.withLock { s -> RedactionKey in
            s.checkedAt = now
            guard stamp != s.stamp else { return s.key }
            do {
                let (key, newStamp) = try Self.read(path)
                s = State(key: key, stamp: newStamp, checkedAt: now)
            } catch {
                if !s.failing { problem = "\(error)" }
                s.failing = true
            }
            return s.key
        }
        if let problem { onProblem(problem) }
        return key
    }

    /// Creates `path` (0600) with a random key unless it exists: the key of a node with no key file configured.
    public static func generateIfMissing(_ path: String) throws(RedactionKeyError) -> Bool {
        guard !FileManager.default.fileExists(atPath: path) else { return false }
        var random = SystemRandomNumberGenerator()
        let hex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined() + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RedactionKeyError("cannot create key file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = Array(hex.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == hex.utf8.count, fsync(fd) == 0 else {
            unlink(path)
            throw RedactionKeyError("cannot write key file \(path): \(String(cString: strerror(errno)))")
        }
        return true
    }

    static func read(_ path: String) throws(RedactionKeyError) -> (RedactionKey, [Int]) {
        let stamp = stamp(path)
        guard !stamp.isEmpty, let data = FileManager.default.contents(atPath: path) else {
            throw RedactionKeyError("cannot read key file \(path): \(String(cString: strerror(errno)))")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            return (try RedactionKey(Array(text.utf8)), stamp)
        } catch {
            throw RedactionKeyError("key file \(path): \(error)")
        }
    }

    private static func stamp(_ path: String) -> [Int] {
        var st = stat()
        guard stat(path, &st) == 0 else { return [] }
        return [Int(st.st_ino), Int(st.st_size), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec)]
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
