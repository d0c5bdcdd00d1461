import Foundation
import Logging
import Synchronization
import Testing
import TailshipTestSupport
import TailshipWebhook

/// The spool in-process: group commits, segments closed when full, a cut-short last line
/// cut back at start, 429 past max_bytes, deletion of closed segments only.
@Suite struct SpoolWriterTests {
    private func append(_ spool: SpoolWriter, _ text: String) async -> SpoolWriter.Outcome {
        await withCheckedContinuation { c in spool.append(Array(text.utf8)) { c.resume(returning: $0) } }
    }

    private func segments(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("segment-") }.sorted()
    }

    @Test func segmentsCloseWhenFullAndTheSpoolRefusesPastMaxBytes() async throws {
        let dir = TempDirectory()
        let spool = try SpoolWriter(settings: SpoolSettings(directory: dir.path, maxBytes: 10_000, segmentBytes: 4096), logger: Logger(label: "t"))
        let line = String(repeating: "x", count: 999) + "\n"
        var outcomes: [SpoolWriter.Outcome] = []
        for _ in 0..<12 { outcomes.append(await append(spool, line)) }
        #expect(outcomes.prefix(10).allSatisfy { $0 == .appended })
        #expect(outcomes.suffix(2).allSatisfy { $0 == .full })
        #expect(spool.usage.bytes == 10_000)
        // A segment is closed once it holds segment_bytes or more (after the write that got it there is answered).
        #expect(await eventually(seconds: 5) { spool.closedSegments.count == 2 })
        #expect(spool.closedSegments.map(\.size) == [5000, 5000])
        #expect(segments(dir.path) == ["segment-0000000000000001.log", "segment-0000000000000002.log", "segment-0000000000000003.log"])
        spool.delete(spool.closedSegments[0])
        #expect(spool.usage.bytes == 5000 && segments(dir.path).count == 2)
        #expect(await append(spool, line) == .appended)
        spool.stop()
        #expect(await append(spool, line) == .failed("shutting down"))
    }

    @Test func aLastLineCutShortIsCutBackAtStartAndAppendsGoToANewSegment() async throws {
        let dir = TempDirectory()
        let first = "\(dir.path)/segment-0000000000000007.log"
        try ("{\"a\":1}\n{\"a\":2}\n{\"a\":" as String).write(toFile: first, atomically: true, encoding: .utf8)
        let spool = try SpoolWriter(settings: SpoolSettings(directory: dir.path, maxBytes: 1 << 20, segmentBytes: 1 << 16), logger: Logger(label: "t"))
        #expect(try String(contentsOfFile: first, encoding: .utf8) == "{\"a\":1}\n{\"a\":2}\n")
        #expect(await append(spool, "{\"b\":1}\n") == .appended)
        #expect(try String(contentsOfFile: "\(dir.path)/segment-0000000000000008.log", encoding: .utf8) == "{\"b\":1}\n")
        #expect(spool.closedSegments.map(\.number) == [7] && spool.usage.bytes == 24)
        spool.stop()
    }

    @Test func concurrentRequestsShareSyncs() async throws {
        let dir = TempDirectory()
        let syncs = Atomic<Int>(0)
        let spool = try SpoolWriter(settings: SpoolSettings(directory: dir.path, maxBytes: 1 << 26, segmentBytes: 1 << 26), logger: Logger(label: "t"),
                                    onSynced: { _ in syncs.add(1, ordering: .relaxed) })
        await withTaskGroup(of: SpoolWriter.Outcome.self) { group in
            for i in 0..<400 { group.addTask { await self.append(spool, "{\"n\":\(i)}\n") } }
            for await outcome in group { #expect(outcome == .appended) }
        }
        spool.stop()
        let text = try String(contentsOfFile: "\(dir.path)/segment-0000000000000001.log", encoding: .utf8)
        #expect(Set(text.split(separator: "\n")).count == 400)
        print("spool: 400 concurrent appends, \(syncs.load(ordering: .relaxed)) syncs")
        #expect(syncs.load(ordering: .relaxed) <= 400)
    }
}
