import Foundation
import TailshipShip
import TailshipTestSupport

/// One logrotate style run twice at once: the same lines are appended to
/// `<root>/log/k8s_audit.log` (which Tailship follows) and to
/// `<root>/control/k8s_audit.log` (which nothing follows), and Debian's logrotate
/// is forced on both at the same moments, writing paused meanwhile, so whatever
/// differs between the two directories at the end is Tailship's doing.
final class SideBySideRotation: @unchecked Sendable {
    let name: String
    let prefix: String
    let followed: String
    let control: String
    var log: String { followed + "/k8s_audit.log" }
    private let rate: Int
    private let lock = NSLock()
    private var _written = 0
    private var _runs = 0
    private var _errors: [String] = []

    /// `directives`: logrotate's, e.g. "copytruncate\ncompress"; `rotate`: backups kept.
    init(root: String, name: String, prefix: String, directives: String, rotate: Int, rate: Int = 1000) throws {
        self.name = name
        self.prefix = prefix
        self.rate = rate
        followed = root + "/log"
        control = root + "/control"
        for dir in [followed, control] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let conf = """
            \(dir)/k8s_audit.log {
                \(directives.split(separator: "\n").joined(separator: "\n    "))
                rotate \(rotate)
                missingok
            }

            """
            try conf.write(toFile: dir + ".logrotate.conf", atomically: true, encoding: .utf8)
            _ = FileManager.default.createFile(atPath: dir + "/k8s_audit.log", contents: nil, attributes: [.posixPermissions: 0o600])
        }
    }

    var written: Int { lock.withLock { _written } }
    /// logrotate runs, and what they printed or their failing exit codes.
    var logrotateRuns: Int { lock.withLock { _runs } }
    var logrotateErrors: [String] { lock.withLock { _errors } }

    func line(_ i: Int) -> String {
        let pad = String(repeating: "x", count: 180 + i % 120)
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"\(prefix)-\(String(format: "%08d", i))\","
            + "\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/default/pods?limit=500\",\"verb\":\"list\",\"pad\":\"\(pad)\"}\n"
    }

    var ids: [String] { (0..<written).map { "\(prefix)-\(String(format: "%08d", $0))" } }

    /// Writes `rate` lines a second for `seconds`, logrotate forced every `every` seconds; blocks.
    func run(seconds: Double, every: Double = 1.5) {
        let start = Date()
        var nextRotation = every
        var i = 0
        while true {
            let elapsed = Date().timeIntervalSince(start)
            if elapsed >= seconds { break }
            let due = Int(elapsed * Double(rate))
            if due > i {
                let chunk = (i..<due).map(line).joined()
                for dir in [followed, control] { append(chunk, to: dir + "/k8s_audit.log") }
                i = due
                lock.withLock { _written = i }
            }
            if elapsed >= nextRotation {
                for dir in [followed, control] { rotate(dir) }
                nextRotation += every
            }
            usleep(10_000)
        }
    }

    /// Opened for each chunk (O_APPEND): after `create` the new file, after copytruncate its start.
    private func append(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot open \(path)")
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            precondition(n > 0, "write failed")
            done += n
        }
        close(fd)
    }

    private func rotate(_ dir: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/logrotate")
        p.arguments = ["-f", "-s", dir + ".logrotate.state", dir + ".logrotate.conf"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = err
        do { try p.run() } catch { lock.withLock { _errors.append("cannot start logrotate: \(error)") }; return }
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        lock.withLock {
            _runs += 1
            if !text.isEmpty { _errors.append("\(dir): \(text)") }
            if p.terminationStatus != 0 { _errors.append("\(dir): logrotate exited \(p.terminationStatus)") }
        }
    }

    /// Every line in a directory's files (decompressed), sorted: what the node keeps.
    static func linesOnDisk(_ dir: String) throws -> [String] {
        var lines: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            let content = name.hasSuffix(".gz") ? try Gzip.decompress(bytes) : bytes
            lines += content.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        }
        return lines.sorted()
    }

    /// Files and bytes on disk (allocated) under a directory, subdirectories included.
    static func diskUse(_ dir: String) -> (files: Int, bytes: UInt64) {
        guard let walk = FileManager.default.enumerator(atPath: dir) else { return (0, 0) }
        var files = 0, bytes: UInt64 = 0
        for case let name as String in walk {
            var st = stat()
            guard lstat(dir + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            files += 1
            bytes += UInt64(st.st_blocks) * 512
        }
        return (files, bytes)
    }
}

/// Runs `body` on a thread of its own (it blocks: writers, logrotate), awaiting it.
func onThread(_ name: String, _ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        let t = Thread {
            body()
            done.resume()
        }
        t.name = name
        t.start()
    }
}
