import Foundation
import Testing
import TailshipTestSupport
@testable import Tailship

@Suite struct CatchUpTests {
    @Test func aBacklogEndsWithThePartialBatchSent() {
        var c = CatchUp(batchBytes: 1000)
        let first = c.pass(read: 600), second = c.pass(read: 600)
        #expect(!first && !second)
        let caughtUp = c.pass(read: 0), idle = c.pass(read: 0)
        #expect(caughtUp, "1,200 bytes read since the last idle pass: caught up")
        #expect(!idle, "idle again: nothing to decide")
    }

    @Test func steadyTrickleWaitsForMaxWait() {
        var c = CatchUp(batchBytes: 1000)
        for _ in 0..<100 {
            let busy = c.pass(read: 300), idle = c.pass(read: 0)
            #expect(!busy && !idle, "300 bytes then idle is a writer being followed, not a backlog")
        }
    }

    /// `run` starting on a file that is already written (history at start) sends its last,
    /// partial batch as soon as it reaches the end, not `max_wait` (here 1 hour) later.
    @Test func runCatchingUpDeliversTheLastEventsWithoutWaitingForMaxWait() async throws {
        let f = DaemonFixture()
        let count = 30_000
        appendText((0..<count).map { numberedLine($0) + "\n" }.joined(), to: f.log)
        let receiver = try await TestReceiver()
        let config = f.config(output: f.httpOutput(receiver.url), batch: "{max_events: 700, max_bytes: 64KiB, max_wait: 1h}")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        // Without the catch-up rule the last 30,000 % 700 events would wait an hour.
        #expect(await eventually(seconds: 60) { receiver.acceptedLines.count >= count })
        let missing = Set((0..<count).map(numberedLine)).subtracting(receiver.acceptedLines)
        #expect(missing.isEmpty, "\(missing.count) of \(count) events not delivered")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
        await receiver.stop()
    }
}
