import Foundation

/// The Go program in tools/lumberjack-writer: writes audit events through
/// kube-apiserver's own rotation library (rename, then gzip in the background).
struct LumberjackWriter {
    static var binary: String {
        if let fromEnv = ProcessInfo.processInfo.environment["LUMBERJACK_WRITER"], !fromEnv.isEmpty { return fromEnv }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/tools/lumberjack-writer").path
    }

    /// Starts the writer; events are numbered from `start`, auditID `<prefix>-%08d`.
    static func start(path: String, events: Int, start: Int = 0, rate: Int = 0, maxSizeMiB: Int = 1, backups: Int = 5,
                      compress: Bool = true, prefix: String = "ev", output: FileHandle? = nil) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["-path", path, "-events", "\(events)", "-start", "\(start)", "-rate", "\(rate)", "-maxsize", "\(maxSizeMiB)",
                       "-backups", "\(backups)", "-compress=\(compress)", "-prefix", prefix]
        p.standardOutput = output ?? FileHandle.nullDevice
        try p.run()
        return p
    }

    static func run(path: String, events: Int, start: Int = 0, rate: Int = 0) throws {
        let p = try Self.start(path: path, events: events, start: start, rate: rate)
        p.waitUntilExit()
        precondition(p.terminationStatus == 0, "lumberjack-writer failed")
    }

    static func ids(_ range: Range<Int>, prefix: String = "ev") -> [String] {
        range.map { String(format: "%@-%08d", prefix, $0) }
    }
}

/// Counts of a delivery compared with what was written.
struct DeliveryReport: CustomStringConvertible {
    var written: Int
    var received: Int
    var missing: [String]
    var duplicated: Int

    init(written: [String], delivered: [String]) {
        self.written = written.count
        received = delivered.count
        var counts: [String: Int] = [:]
        for id in delivered { counts[id, default: 0] += 1 }
        missing = written.filter { counts[$0] == nil }
        duplicated = counts.values.reduce(0) { $0 + max(0, $1 - 1) }
    }

    var description: String {
        "written \(written), received \(received), missing \(missing.count), duplicated \(duplicated)"
            + (missing.isEmpty ? "" : " (first missing: \(missing.prefix(3).joined(separator: ", ")))")
    }
}
