import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// tools/webhook-replayer/replayer.py: sends real audit events as the apiserver's batch
/// webhook does (EventLists of up to 400, retried with backoff) and records which were answered 200.
final class WebhookReplayer: @unchecked Sendable {
    static var tools: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/webhook-replayer").path
    }
    static var realLog: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/real/liggitt-audit2rbac_demo.log").path
    }

    struct Result: Decodable {
        var acked: [Int]
        var dropped: [Int]
        var latencies_ms: [Double]
        var statuses: [String: Int]
        var p99_ms: Double
        var seconds: Double
    }

    let process = Process()
    let out: String
    let progress: String

    /// Starts sending `events` events (numbered from `first`) to `url`; `extra`: more replayer flags.
    init(url: String, events: Int, first: Int = 0, directory: String, extra: [String] = []) throws {
        let id = UUID().uuidString.prefix(6)
        out = "\(directory)/replayer-\(id).json"
        progress = "\(directory)/replayer-\(id).progress"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "\(Self.tools)/replayer.py", "--url", url, "--source", Self.realLog, "--events", "\(events)",
                             "--first", "\(first)", "--out", out, "--progress", progress] + extra
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
    }

    /// Events answered 200 so far.
    var answered: Int { Int((try? String(contentsOfFile: progress, encoding: .utf8)) ?? "") ?? 0 }

    /// Waits for the replayer to finish and reads what it recorded.
    func finish(seconds: Double = 300) async -> Result? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning, let data = FileManager.default.contents(atPath: out) else { return nil }
        return try? JSONDecoder().decode(Result.self, from: data)
    }

    /// The auditID the replayer gives event `n`.
    static func auditID(_ n: Int) -> String { String(format: "00000000-0000-4000-8000-%012llx", UInt64(n)) }

    /// POSTs one body (or sends `method`) and returns the status, Retry-After and text (status 0: no connection).
    static func post(_ url: String, body: [UInt8], method: String = "POST", headers: [String] = [], directory: String) throws
        -> (status: Int, retryAfter: String?, text: String) {
        let file = "\(directory)/body-\(UUID().uuidString.prefix(6))"
        _ = FileManager.default.createFile(atPath: file, contents: Data(body))
        let (_, output) = try runCommand(["python3", "\(tools)/post.py", url, file, method] + headers)
        let o = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        return (o["status"] as? Int ?? -1, o["retry_after"] as? String, o["text"] as? String ?? "")
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

extension DaemonFixture {
    var spool: String { dir.file("spool") }

    /// A config whose one input is a webhook on `port` spooling to `spool`; `webhook` adds keys to it.
    /// `alsoFile`: the log file is an input too.
    func webhookConfig(port: Int, webhook: String = "", spool spoolKeys: String = "", outputs: String, extra: String = "",
                       alsoFile: Bool = false) -> String {
        let text = """
        inputs:\(alsoFile ? "\n  - paths: [\"\(log)\"]" : "")
          - webhook: {listen: "127.0.0.1:\(port)", path: /audit, spool: {directory: "\(spool)"\(spoolKeys.isEmpty ? "" : ", " + spoolKeys)}\(webhook.isEmpty ? "" : ", " + webhook)}
        registry: {path: "\(registry)", flush_interval: 100ms}
        batch: {max_events: 500, max_wait: 100ms}
        \(outputs)
        dead_letter: {directory: "\(deadLetter)"}
        shutdown_timeout: 10s
        log: {level: debug}
        monitoring: {listen: "127.0.0.1:0"}
        \(extra)
        """
        let path = dir.file("tailship.yaml")
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Bytes in the spool's segments now.
    func spoolBytes() -> UInt64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []
        return names.filter { $0.hasPrefix("segment-") }.reduce(0) { sum, name in
            sum + ((try? FileManager.default.attributesOfItem(atPath: "\(spool)/\(name)")[.size] as? UInt64) ?? 0)
        }
    }
}
