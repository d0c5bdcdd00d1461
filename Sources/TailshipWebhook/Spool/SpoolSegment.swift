import Foundation
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// One spool file: `segment-<16-digit number>.log`, one event per line, only ever appended to.
public struct SpoolSegment: Sendable, Equatable {
    public var number: UInt64
    public var path: String
    public var identity: FileIdentity
    public var size: UInt64

    public init(number: UInt64, path: String, identity: FileIdentity, size: UInt64) {
        self.number = number
        self.path = path
        self.identity = identity
        self.size = size
    }

    static let prefix = "segment-"
    static let suffix = ".log"

    /// The glob the file pipeline follows for a spool directory.
    public static func pattern(in directory: String) -> String { "\(directory)/\(prefix)*\(suffix)" }

    static func name(_ number: UInt64) -> String {
        let digits = String(number)
        return prefix + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + suffix
    }

    static func number(of name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        return UInt64(name.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// The segments in `directory`, oldest first.
    static func list(_ directory: String) -> [SpoolSegment] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> SpoolSegment? in
            guard let number = number(of: name) else { return nil }
            let path = "\(directory)/\(name)"
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            return SpoolSegment(number: number, path: path, identity: FileIdentity(st), size: UInt64(st.st_size))
        }.sorted { $0.number < $1.number }
    }

    /// A segment whose last line is cut short (a write the process did not live to finish, never
    /// answered 200) is cut back to its last newline: the apiserver sends that request again.
    static func repairTail(_ segment: inout SpoolSegment) -> UInt64 {
        guard segment.size > 0, let handle = FileHandle(forUpdatingAtPath: segment.path) else { return 0 }
        defer { try? handle.close() }
        var end = segment.size
        let chunk: UInt64 = 64 * 1024
        while end > 0 {
            let start = end > chunk ? end - chunk : 0
            try? handle.seek(toOffset: start)
            guard let data = try? handle.read(upToCount: Int(end - start)), !data.isEmpty else { break }
            if let last = data.lastIndex(of: 0x0A) {
                let keep = start + UInt64(last - data.startIndex) + 1
                return cut(&segment, to: keep, handle: handle)
            }
            end = start
        }
        return cut(&segment, to: 0, handle: handle)
    }

    private static func cut(_ segment: inout SpoolSegment, to size: UInt64, handle: FileHandle) -> UInt64 {
        guard size < segment.size else { return 0 }
        let dropped = segment.size - size
        try? handle.truncate(atOffset: size)
        try? handle.synchronize()
        segment.size = size
        return dropped
    }
}
