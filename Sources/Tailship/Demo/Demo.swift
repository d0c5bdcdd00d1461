import Foundation
import Logging
import TailshipShip
#if canImport(Glibc)
import Glibc
#endif

/// `tailship demo`: writes an audit log with apiserver-style rotation while an
/// in-process daemon ships it to files, then checks every event arrived once.
public struct Demo: Sendable {
    public struct Result: Sendable {
        public var written: Int
        public var delivered: Int
        public var lost: Int
        public var duplicated: Int
        public var rotations: Int
        public var seconds: Double

        public var ok: Bool { lost == 0 && duplicated == 0 && delivered == written }
        public var summary: String { "written \(written) events, delivered \(delivered), lost \(lost), duplicated \(duplicated)" }
    }

    public var events: Int
    public var outputDirectory: String
    public var rotateBytes: Int

    public init(events: Int = 20000, outputDirectory: String = "tailship-demo-out", rotateBytes: Int = 1 << 20) {
        self.events = events
        self.outputDirectory = outputDirectory
        self.rotateBytes = rotateBytes
    }

    public func run(logger: Logger, progress: @escaping @Sendable (String) -> Void) async throws -> Result {
        let work = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let out = URL(fileURLWithPath: outputDirectory).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for old in OutputReader.files(in: out) { try FileManager.default.removeItem(atPath: old) }
        let logPath = "\(work)/k8s_audit.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil, attributes: [.posixPermissions: 0o600])

        let config = try ResolvedConfig.resolve(ConfigFile.demo(logPath: logPath, work: work, out: out), overrides: .init())
        let daemon = try Daemon(config: config, logger: logger, handleSignals: true)
        let started = Date()
        progress("demo: writing \(events) audit events to \(logPath), rotating every \(rotateBytes / 1024) KiB like kube-apiserver; shipping to \(out)/")

        let daemonTask = Task { try await daemon.run() }
        let writer = try RotatingWriter(path: logPath, maxBytes: rotateBytes)
        let total = events
        let writtenCounter = ProgressCounter()
        let writeTask = Task.detached {
            var generator = AuditEventGenerator(seed: UInt64(Date().timeIntervalSince1970 * 1000))
            for i in 0..<total {
                try writer.write(line: generator.event())
                writtenCounter.set(i + 1, rotations: writer.rotations)
                // Bursts with short pauses, like a busy control plane.
                if i % 2000 == 1999 { try await Task.sleep(for: .milliseconds(20)) }
            }
        }
        var lastShown = ""
        while true {
            let shipped = daemon.stats.eventsShipped.load(ordering: .relaxed)
            let (w, r) = writtenCounter.get()
            let line = "demo: written \(w)/\(total), rotated \(r) times, shipped \(shipped)"
            if line != lastShown { progress(line); lastShown = line }
            if w == total && shipped >= total { break }
            if Date().timeIntervalSince(started) > 120 {
                progress("demo: timed out waiting for delivery")
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        try await writeTask.value
        await daemon.stop()
        try await daemonTask.value

        let ids = OutputReader.auditIDs(in: try OutputReader.contents(of: out))
        var seen = Set<String>()
        var duplicated = 0
        for id in ids where !seen.insert(id).inserted { duplicated += 1 }
        let (written, rotations) = writtenCounter.get()
        return Result(written: written, delivered: seen.count, lost: max(0, written - seen.count), duplicated: duplicated,
                      rotations: rotations, seconds: Date().timeIntervalSince(started))
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array(((NSTemporaryDirectory() as NSString).appendingPathComponent("tailship-demo-XXXXXX")).utf8CString)
        guard let p = mkdtemp(&template) else { throw POSIXError(.EIO) }
        return String(cString: p)
    }
}

/// Written-events counter shared between the writer and the progress display.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var written = 0
    private var rotations = 0

    func set(_ w: Int, rotations r: Int) {
        lock.lock()
        written = w
        rotations = r
        lock.unlock()
    }

    func get() -> (Int, Int) {
        lock.lock()
        defer { lock.unlock() }
        return (written, rotations)
    }
}

extension ConfigFile {
    static func demo(logPath: String, work: String, out: String) throws -> ConfigFile {
        try ResolvedConfig.parse("""
        inputs:
          - paths: ["\(logPath)"]
        registry:
          path: "\(work)/registry.json"
          flush_interval: 200ms
        batch:
          max_events: 1000
          max_wait: 200ms
        output:
          file:
            directory: "\(out)"
        dead_letter:
          directory: "\(work)/dead-letter"
        shutdown_timeout: 10s
        """)
    }
}
