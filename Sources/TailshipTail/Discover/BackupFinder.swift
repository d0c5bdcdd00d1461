import TailshipBasics
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which rotated copies of a followed file are part of the input.
public enum BackupPolicy: Sendable, Equatable {
    /// Recognise lumberjack and logrotate names next to each followed file.
    case auto
    /// Follow only the live files.
    case none
    /// These globs name the backups.
    case globs([String])
}

/// A rotated copy of a followed file, with where it sorts among the others.
public struct Backup: Sendable, Equatable {
    public var path: String
    public var compressed: Bool
    /// Sorts oldest first: the time in the name, else the modification time.
    public var time: Double
    /// Among backups with equal time: logrotate's higher numbers are older.
    public var rank: Int
    /// `time` comes from the name (when it was rotated), not the modification time.
    public var named: Bool = false
    /// A pin's first byte of content past its head: before it the copy has a hole (acknowledged when it was taken).
    public var readableFrom: UInt64 = 0
    /// A pin: read as a copy of its original (found by its first bytes), under an identity of its own
    /// that no log file can have (see `Tailer.pinIdentity`).
    public var isPin = false

    /// Rotation order: by time, then logrotate's higher numbers first, then by path.
    static func olderFirst(_ a: Backup, _ b: Backup) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if a.rank != b.rank { return a.rank > b.rank }
        // A file and its compressed copy (both pinned): the plain one first, so the copy is known as its twin.
        if a.compressed != b.compressed { return !a.compressed }
        return a.path < b.path
    }
}

/// Finds backups by name: lumberjack's `STEM-2006-01-02T15-04-05.000.EXT[.gz]`
/// (UTC), logrotate's `NAME.N[.gz]` and `NAME-YYYYMMDD[-EPOCH][.gz]`.
public struct BackupFinder: Sendable {
    public let policy: BackupPolicy
    let fileSystem: any FileSystem

    public init(policy: BackupPolicy, fileSystem: any FileSystem = PosixFileSystem()) {
        self.policy = policy
        self.fileSystem = fileSystem
    }

    /// Backups of the live files at `livePaths`, oldest first, each once.
    public func backups(of livePaths: [String]) -> [Backup] {
        var found: [String: Backup] = [:]
        switch policy {
        case .none:
            return []
        case .globs(let globs):
            for path in PathDiscovery(patterns: globs, fileSystem: fileSystem).expand() {
                let nameTime = Self.timeFromName(path)
                let mtime = (try? fileSystem.status(path).get())?.modifiedSeconds ?? 0
                found[path] = Backup(path: path, compressed: path.hasSuffix(".gz"), time: nameTime ?? mtime, rank: 0, named: nameTime != nil)
            }
        case .auto:
            for live in livePaths {
                let dir = (live as NSString).deletingLastPathComponent
                let names = fileSystem.list(dir.isEmpty ? "." : dir) ?? []
                let base = (live as NSString).lastPathComponent
                for name in names where name != base {
                    guard let match = Self.classify(name, liveName: base) else { continue }
                    let path = dir.isEmpty ? name : "\(dir)/\(name)"
                    guard let status = try? fileSystem.status(path).get(), status.isRegular else { continue }
                    found[path] = Backup(path: path, compressed: match.compressed, time: match.time ?? status.modifiedSeconds,
                                         rank: match.rank, named: match.time != nil)
                }
            }
        }
        return found.values.sorted(by: Backup.olderFirst)
    }

    struct Match {
        var compressed: Bool
        var time: Double?
        var rank: Int
    }

    /// Whether `name` is a backup of `liveName`, and how it sorts.
    static func classify(_ name: String, liveName: String) -> Match? {
        var rest = name
        let compressed = rest.hasSuffix(".gz")
        if compressed { rest.removeLast(3) }
        let ext = (liveName as NSString).pathExtension
        let stem = ext.isEmpty ? liveName : String(liveName.dropLast(ext.count + 1))
        let dotExt = ext.isEmpty ? "" : ".\(ext)"
        // lumberjack: STEM-2006-01-02T15-04-05.000.EXT
        if rest.hasPrefix(stem + "-"), rest.hasSuffix(dotExt) {
            let stamp = String(rest.dropFirst(stem.count + 1).dropLast(dotExt.count))
            if let t = parseLumberjackTime(stamp) { return Match(compressed: compressed, time: t, rank: 0) }
        }
        // logrotate numbered: NAME.N
        if rest.hasPrefix(liveName + "."), let n = Int(rest.dropFirst(liveName.count + 1)), n >= 0 {
            return Match(compressed: compressed, time: nil, rank: n)
        }
        // logrotate dated: NAME-YYYYMMDD[-EPOCH] (dateext, with or without dateformat's epoch)
        if rest.hasPrefix(liveName + "-") {
            let parts = rest.dropFirst(liveName.count + 1).split(separator: "-", omittingEmptySubsequences: false)
            if (parts.count == 1 || parts.count == 2), parts[0].count == 8, let day = parseDay(String(parts[0])) {
                if parts.count == 2 {
                    guard let epoch = Double(parts[1]) else { return nil }
                    return Match(compressed: compressed, time: epoch, rank: 0)
                }
                return Match(compressed: compressed, time: day, rank: 0)
            }
        }
        return nil
    }

    /// `2006-01-02T15-04-05.000` in UTC.
    static func parseLumberjackTime(_ s: String) -> Double? {
        let u = Array(s.utf8)
        guard u.count == 23, u[4] == 0x2D, u[7] == 0x2D, u[10] == 0x54, u[13] == 0x2D, u[16] == 0x2D, u[19] == 0x2E else { return nil }
        func num(_ r: Range<Int>) -> Int? { Int(String(decoding: u[r], as: UTF8.self)) }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16),
              let sec = num(17..<19), let ms = num(20..<23) else { return nil }
        return utc(y, mo, d, h, mi, sec).map { $0 + Double(ms) / 1000 }
    }

    static func parseDay(_ s: String) -> Double? {
        guard let v = Int(s), s.count == 8 else { return nil }
        return utc(v / 10000, (v / 100) % 100, v % 100, 0, 0, 0)
    }

    static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Double? {
        UTCTime.seconds(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
    }

    static func timeFromName(_ path: String) -> Double? {
        let name = (path as NSString).lastPathComponent
        var rest = name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
        let ext = (rest as NSString).pathExtension
        if !ext.isEmpty { rest = String(rest.dropLast(ext.count + 1)) }
        guard rest.count > 23 else { return nil }
        return parseLumberjackTime(String(rest.suffix(23)))
    }
}
