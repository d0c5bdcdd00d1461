import Foundation
import Tailship
import TailshipShip
import Testing
import TailshipTestSupport

@Suite(.serialized) struct HTTPDeliveryTests {
    @Test func receiverDownForTenSecondsLosesNothing() async throws {
        let f = DaemonFixture()
        let receiver = try await TestReceiver()
        let config = f.config(output: f.httpOutput(receiver.url))
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        appendText((0..<1000).map { numberedLine($0) + "\n" }.joined(), to: f.log)
        #expect(await eventually(seconds: 15) { receiver.acceptedLines.count >= 1000 })

        await receiver.stop()
        appendText((1000..<3000).map { numberedLine($0) + "\n" }.joined(), to: f.log)
        try await Task.sleep(for: .seconds(10))
        try await receiver.start()

        // Two requests may be in flight (max_in_flight 2), so batches can arrive out of order; none may be missing.
        let expected = Set((0..<3000).map(numberedLine))
        #expect(await eventually(seconds: 20) { expected.isSubset(of: Set(receiver.acceptedLines)) })
        #expect(daemon.stderr.contains("send failed; will retry"))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
        await receiver.stop()
    }

    @Test func badRequestGoesToDeadLetterAndPipelineMovesOn() async throws {
        let f = DaemonFixture()
        // The first batch is refused for good; everything after is accepted.
        let receiver = try await TestReceiver { n in n == 0 ? (400, "{\"error\":\"bad event\"}") : (200, "{}") }
        let config = f.config(output: f.httpOutput(receiver.url))
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let first = (0..<10).map(numberedLine)
        appendText(first.map { $0 + "\n" }.joined(), to: f.log)
        #expect(await eventually(seconds: 10) { receiver.requests.count >= 1 })
        let later = (10..<20).map(numberedLine)
        appendText(later.map { $0 + "\n" }.joined(), to: f.log)
        #expect(await eventually(seconds: 10) { receiver.acceptedLines == later })

        let names = try FileManager.default.contentsOfDirectory(atPath: f.deadLetter).sorted()
        let body = try #require(names.first { $0.hasSuffix(".ndjson.gz") })
        let meta = try #require(names.first { $0.hasSuffix(".json") })
        let stored = try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: "\(f.deadLetter)/\(body)"))))
        #expect(stored == Array(first.map { $0 + "\n" }.joined().utf8))
        let info = try String(contentsOfFile: "\(f.deadLetter)/\(meta)", encoding: .utf8)
        #expect(info.contains("\"status\" : 400"))
        #expect(info.contains("bad event"))
        #expect(daemon.stderr.contains("events stored in the dead-letter directory"))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
        // The rejected lines are not read again: their offsets were committed.
        let again = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await again.ready())
        try await Task.sleep(for: .seconds(1))
        again.signal(SIGTERM)
        #expect(await again.waitForExit(seconds: 15) == 0)
        #expect(receiver.requests.count == 2)
        await receiver.stop()
    }
}
