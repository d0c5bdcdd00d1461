import Foundation
import Tailship
import TailshipTail
import Testing
import TailshipTestSupport

@Suite(.serialized) struct RestartTests {
    @Test func sigkillDuringShippingThenRestartDeliversEverythingInOrder() async throws {
        let f = DaemonFixture()
        // A slow receiver keeps batches in flight when the kill comes.
        let receiver = try await TestReceiver { _ in
            usleep(50_000)
            return (200, "{}")
        }
        // One request at a time, so arrival order is read order.
        let config = f.config(output: f.httpOutput(receiver.url, extra: "max_in_flight: 1"), batch: "{max_events: 200, max_wait: 50ms}")
        let total = 20_000
        appendText((0..<total).map { numberedLine($0) + "\n" }.joined(), to: f.log)
        let first = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "first")
        #expect(await first.ready())
        // 200 events a request, 50 ms each: 100 requests take at least 5 s; kill after 10.
        #expect(await eventually(seconds: 20) { receiver.requests.count >= 10 })
        first.signal(SIGKILL)
        _ = await first.waitForExit(seconds: 5)
        let before = receiver.acceptedLines.count
        #expect(before < total, "the kill came too late to test anything (requests \(receiver.requests.count))")

        let second = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "second")

        #expect(await second.ready())
        let expected = (0..<total).map(numberedLine)
        #expect(await eventually(seconds: 60) { inOrderAtLeastOnce(receiver.acceptedLines, expected: expected) })
        // Resumed near where it was killed, not from the start.
        #expect(receiver.acceptedLines.count < total + before)
        second.signal(SIGTERM)
        #expect(await second.waitForExit(seconds: 15) == 0)
        await receiver.stop()
    }

    @Test func sigtermExitsZeroWritesRegistryAndLosesNothing() async throws {
        let f = DaemonFixture()
        let config = f.config(output: f.fileOutput, shutdown: "5s")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let lines = (0..<5000).map(numberedLine)
        appendText(lines.map { $0 + "\n" }.joined(), to: f.log)
        // Stop as soon as shipping has started.
        #expect(await eventually(seconds: 10) { !f.delivered().isEmpty })
        let start = Date()
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)
        #expect(Date().timeIntervalSince(start) < 6)
        // Whatever was committed was delivered; a restart ships the rest exactly once.
        let document = try #require(try RegistryStore(path: f.registry).load()?.only)
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        let committed = try #require(document.entries.first?.offset)
        let deliveredBytes = f.delivered().reduce(0) { $0 + $1.utf8.count + 1 }
        #expect(committed == UInt64(deliveredBytes))
        let again = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await again.ready())
        #expect(await eventually(seconds: 10) { f.delivered().count >= lines.count })
        again.signal(SIGTERM)
        #expect(await again.waitForExit(seconds: 10) == 0)
        #expect(f.delivered() == lines)
        let final = try #require(try RegistryStore(path: f.registry).load()?.only)
        #expect(final.entries.first?.offset == size)
    }

    @Test func sigtermWithReceiverDownExitsWithinTimeout() async throws {
        let f = DaemonFixture()
        let receiver = try await TestReceiver()
        await receiver.stop()
        let config = f.config(output: f.httpOutput(receiver.url), shutdown: "2s")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        appendText((0..<100).map { numberedLine($0) + "\n" }.joined(), to: f.log)
        #expect(await eventually(seconds: 10) { daemon.stderr.contains("send failed; will retry") })
        let start = Date()
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)
        #expect(Date().timeIntervalSince(start) < 5)
        // Nothing was acknowledged, so nothing was committed.
        let document = try #require(try RegistryStore(path: f.registry).load()?.only)
        #expect(document.entries.first?.offset == 0)
    }

    @Test func corruptRegistryRefusesToStartWithClearMessage() async throws {
        let f = DaemonFixture()
        try FileManager.default.createDirectory(atPath: f.dir.file("state"), withIntermediateDirectories: true)
        try "{\"version\":1,\"entries\":[{\"dev".write(toFile: f.registry, atomically: true, encoding: .utf8)
        appendText("x\n", to: f.log)
        let config = f.config(output: f.fileOutput)
        let (status, _, err) = try TailshipProcess.run(["run", "--config", config], directory: f.dir.path)
        #expect(status == 1)
        #expect(err.contains("registry \(f.registry) is corrupt"))
        // The corrupt file is left for the operator, not replaced.
        #expect(try String(contentsOfFile: f.registry, encoding: .utf8).hasPrefix("{\"version\":1,\"entries\":[{\"dev"))
    }

    @Test func oversizeLineGoesWholeToDeadLetter() async throws {
        let f = DaemonFixture()
        let config = f.config(output: f.fileOutput, maxLine: "1KiB")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let big = "{\"kind\":\"Event\",\"big\":\"" + String(repeating: "b", count: 300_000) + "\"}"
        appendText("before\n" + big + "\nafter\n", to: f.log)
        #expect(await eventually(seconds: 10) { f.delivered() == ["before", "after"] })
        let names = try FileManager.default.contentsOfDirectory(atPath: f.deadLetter)
        let file = try #require(names.first { $0.contains("oversize") })
        #expect(try String(contentsOfFile: "\(f.deadLetter)/\(file)", encoding: .utf8) == big + "\n")
        #expect(daemon.stderr.contains("line longer than max_line_bytes"))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)
    }

    @Test func secondDaemonOnSameRegistryIsRefused() async throws {
        let f = DaemonFixture()
        let config = f.config(output: f.fileOutput)
        let first = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await first.ready())
        #expect(await eventually(seconds: 10) { first.stderr.contains("tailship started") })
        let (status, _, err) = try TailshipProcess.run(["run", "--config", config], directory: f.dir.path)
        #expect(status == 1)
        #expect(err.contains("in use by another tailship process"))
        first.signal(SIGTERM)
        #expect(await first.waitForExit(seconds: 10) == 0)
    }
}
