import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// The audit logs from real clusters in Tests/Fixtures/real arrive byte-identical.
@Suite(.serialized) struct RealLogsTests {
    static var realDirectory: String { TestFixtures.real.path }

    /// Copies the real logs into `dir/in/`; returns the expected shipped bytes (name order,
    /// without a last line that has no newline yet), the files lacking a final newline,
    /// and those last lines.
    static func stage(into dir: TempDirectory) throws -> (expected: [UInt8], unterminated: [String], tails: [UInt8]) {
        let names = try FileManager.default.contentsOfDirectory(atPath: realDirectory)
            .filter { $0.hasSuffix(".log") || $0.hasSuffix(".ndjson") }.sorted()
        try #require(names.count >= 5, "real logs not found in \(realDirectory)")
        try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
        var expected: [UInt8] = []
        var unterminated: [String] = []
        var tails: [UInt8] = []
        for name in names {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(realDirectory)/\(name)")))
            try Data(bytes).write(to: URL(fileURLWithPath: dir.file("in/\(name)")))
            let cut = bytes.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            expected += bytes[..<cut]
            if cut < bytes.count {
                unterminated.append(dir.file("in/\(name)"))
                tails += bytes[cut...] + [0x0A]
            }
        }
        return (expected, unterminated, tails)
    }

    @Test func fileSinkDeliversRealLogsByteIdentical() async throws {
        let f = DaemonFixture()
        let (expected, unterminated, tails) = try Self.stage(into: f.dir)
        #expect(!unterminated.isEmpty, "one real log ends without a newline")
        let config = f.config(paths: [f.dir.file("in/*")], output: f.fileOutput)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let arrived = await eventually(seconds: 20) { (try? OutputReader.contents(of: f.out)) == expected }
        #expect(arrived, "shipped bytes differ from the real logs")
        // A last line without newline is held, and ships once its newline is written.
        for path in unterminated { appendText("\n", to: path) }
        let tailsArrived = await eventually(seconds: 10) { (try? OutputReader.contents(of: f.out)) == expected + tails }
        #expect(tailsArrived)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
    }

    @Test func httpSinkDeliversRealLogsByteIdentical() async throws {
        let f = DaemonFixture()
        let (expected, _, _) = try Self.stage(into: f.dir)
        let receiver = try await TestReceiver()
        // Bodies compared in arrival order: only max_in_flight 1 promises it (with 2, two bodies
        // compressed ahead start together and either may arrive first).
        let config = f.config(paths: [f.dir.file("in/*")], output: f.httpOutput(receiver.url, extra: "max_in_flight: 1"))
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let arrived = await eventually(seconds: 20) { receiver.acceptedBytes == expected }
        #expect(arrived, "received bytes differ from the real logs")
        let first = try #require(receiver.requests.first)
        #expect(first.header("Content-Type") == "application/x-ndjson")
        #expect(first.header("Content-Encoding") == "gzip")
        #expect(first.header("Idempotency-Key")?.count == 16)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
        await receiver.stop()
    }
}
