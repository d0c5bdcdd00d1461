import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A secret kept in a file (a projected service-account token, a password),
/// read again whenever the file changes (inode, size or modification time),
/// so a rotated token is used from the next request on.
public final class SecretFile: Sendable {
    public let path: String
    private struct Cached {
        var stamp: [Int] = []
        var value = ""
    }
    private let cached = Mutex(Cached())

    public init(path: String) {
        self.path = path
    }

    /// The file's content without surrounding whitespace.
    public func value() throws -> String {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw SinkError("cannot read secret file \(path): \(String(cString: strerror(errno)))")
        }
        let stamp = [Int(st.st_ino), Int(st.st_size), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec)]
        if let hit = cached.withLock({ $0.stamp == stamp ? $0.value : nil }) { return hit }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SinkError("cannot read secret file \(path)")
        }
        let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        cached.withLock { $0 = Cached(stamp: stamp, value: value) }
        return value
    }
}

/// A sink problem with a message fit for the log.
public struct SinkError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
