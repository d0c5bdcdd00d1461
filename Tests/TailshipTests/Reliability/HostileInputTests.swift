import Foundation
import Testing
import TailshipTail
import TailshipTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Input built to break parsers and framers, through the whole pipeline with
/// the audit policy, audit metrics and the HTTP output on: nothing crashes or
/// hangs, and every line around the hostile ones arrives.
@Suite(.serialized) struct HostileInputTests {
    static let maxLine = 64 * 1024

    /// Lines between markers; nil: not shipped (empty, or too long: dead-lettered).
    static func hostile() -> [(bytes: [UInt8], shipped: Bool)] {
        let event = Array(#"{"kind":"Event","level":"Metadata","stage":"ResponseComplete","verb":"get","#.utf8)
        let depth = 30_000  // each nested line stays under max_line_bytes
        var lines: [(bytes: [UInt8], shipped: Bool)] = [
            ([], false),                                                                    // empty
            (Array(repeating: 0x61, count: maxLine), true),                                 // exactly max_line_bytes
            (Array(repeating: 0x62, count: maxLine + 1), false),                            // one byte over
            (Array("nul\u{0}inside\u{0}".utf8), true),                                      // NUL bytes
            (event + Array(#""user":{"username":""#.utf8) + [0xFF, 0xFE, 0xC3] + Array(#""}}"#.utf8), true), // invalid UTF-8
            (event + Array(#""requestObject":"#.utf8) + Array(repeating: 0x5B, count: depth) + Array(repeating: 0x5D, count: depth) + [0x7D], true),
            (event + Array(#""requestObject":"#.utf8) + Array(repeating: 0x5B, count: depth), true), // never closed
            (Array(repeating: 0x7B, count: 50_000), true),                                  // only opening braces
            (event + Array(#""a":1e999999,"b":-0.00000000000000000000000000001,"c":123456789012345678901234567890123456789,"d":-"#.utf8) + [0x7D], true),
            (event + Array(#""s":""#.utf8) + Array(String(repeating: #"\\\"\u0000\ud800\/"#, count: 3_000).utf8) + Array(#""}"#.utf8), true),
            (Array(#"{"kind":"Event","stageTimestamp":"9999-99-99T99:99:99.999999999999Z","requestReceivedTimestamp":"-1"}"#.utf8), true),
            (Array("\r".utf8), true),                                                       // a lone CR
            (Array(repeating: 0x22, count: 10_001), true),                                  // an odd number of quotes
        ]
        lines.append((Array(repeating: 0x7A, count: 100 << 20), false))                   // 100 MiB
        return lines
    }

    static func marker(_ i: Int) -> [UInt8] { Array(#"{"kind":"Event","auditID":"marker-\#(i)","stage":"ResponseComplete","verb":"get"}"#.utf8) }

    @Test func hostileLinesNeitherCrashNorLoseTheirNeighbours() async throws {
        let f = DaemonFixture()
        let receiver = try PyReceiver(directory: f.dir.path)
        let policy = f.dir.file("policy.yaml")
        try "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n".write(toFile: policy, atomically: true, encoding: .utf8)
        let config = f.config(output: f.httpOutput(receiver.url()), extra: """
            policy: "\(policy)"
            monitoring: {listen: "127.0.0.1:0"}
            audit_metrics: {enabled: true}
            """, maxLine: "64KiB")
        let lines = Self.hostile()
        let fd = open(f.log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var expected: [[UInt8]] = []
        for (i, line) in lines.enumerated() {
            let chunk = Self.marker(i) + [0x0A] + line.bytes + [0x0A]
            _ = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            expected.append(Self.marker(i))
            if line.shipped { expected.append(line.bytes) }
        }
        let last = Self.marker(lines.count)
        _ = (last + [0x0A]).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        expected.append(last)

        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        let client = try #require(await MonitoringClient.address(of: daemon))
        func received() -> [[UInt8]] {
            receiver.requests.filter { $0.status < 300 }.flatMap { $0.body.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map(Array.init) }
        }
        #expect(await eventually(seconds: 60) { received().count >= expected.count })
        let got = received()
        #expect(got.count == expected.count)
        for (i, (a, b)) in zip(got, expected).enumerated() where a != b {
            Issue.record("line \(i) differs: got \(a.count) bytes, expected \(b.count) (\(String(decoding: b.prefix(40), as: UTF8.self)))")
            break
        }
        #expect(client.get("/healthz").status == 200)
        let m = try client.scrape()
        #expect(m.value("tailship_lines_oversize_total") == 2)
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(await eventually(seconds: 10) { (try? RegistryStore(path: f.registry).load()?.only?.entries.first?.offset) == size })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
        // The 100 MiB line is kept whole in the dead-letter directory.
        let stored = try FileManager.default.contentsOfDirectory(atPath: f.deadLetter).filter { $0.contains("oversize") && $0.hasSuffix(".line") }
        let sizes = try stored.map { try FileManager.default.attributesOfItem(atPath: "\(f.deadLetter)/\($0)")[.size] as! Int }.sorted()
        #expect(sizes == [Self.maxLine + 2, (100 << 20) + 1], "stored with their newline")
    }

    @Test func aLineWrittenOneByteAtATimeArrivesWhole() async throws {
        let f = DaemonFixture()
        let config = f.config(output: f.fileOutput, batch: "{max_events: 10, max_wait: 20ms}")
        appendText("first\n", to: f.log)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let line = #"{"kind":"Event","auditID":"slow","note":"written one byte at a time"}"#
        let fd = open(f.log, O_WRONLY | O_APPEND)
        for byte in Array(line.utf8) + [0x0A] {
            _ = withUnsafeBytes(of: byte) { write(fd, $0.baseAddress, 1) }
            try await Task.sleep(for: .milliseconds(15))
        }
        close(fd)
        appendText("last\n", to: f.log)
        #expect(await eventually(seconds: 10) { f.delivered().count >= 3 })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
        #expect(f.delivered() == ["first", line, "last"])
    }
}
