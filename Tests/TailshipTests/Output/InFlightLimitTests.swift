import Foundation
import NIOCore
import Testing
import TailshipTestSupport

/// Batches are compressed ahead on every core, but `max_in_flight` stays the number of
/// requests the receiver sees at once, and offsets are still committed in order.
@Suite(.serialized) struct InFlightLimitTests {
    @Test(arguments: [1, 3])
    func requestsAtOnceNeverExceedMaxInFlight(limit: Int) async throws {
        let f = DaemonFixture()
        let receiver = try await TestReceiver(holdAnswers: .milliseconds(150))
        let config = f.config(output: f.httpOutput(receiver.url, extra: "max_in_flight: \(limit)"), batch: "{max_events: 100, max_wait: 50ms}")
        let count = 4_000
        appendText((0..<count).map { numberedLine($0) + "\n" }.joined(), to: f.log)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 60) { receiver.acceptedLines.count >= count })
        await daemon.stopCleanly()
        #expect(receiver.mostConcurrent == limit, "at most \(receiver.mostConcurrent) requests at once with max_in_flight \(limit)")
        let missing = Set((0..<count).map(numberedLine)).subtracting(receiver.acceptedLines)
        #expect(missing.isEmpty && receiver.acceptedLines.count == count)
        // Every offset committed: the registry holds the file's full length.
        let registry = try String(contentsOfFile: f.registry, encoding: .utf8)
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(registry.contains("\"offset\" : \(size)") || registry.contains("\"offset\":\(size)"), "\(registry.prefix(400))")
    }
}
