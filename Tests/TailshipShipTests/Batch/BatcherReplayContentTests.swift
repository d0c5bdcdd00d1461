import Foundation
import TailshipBasics
import Testing
@testable import TailshipShip

/// A recorded batch is cut again as it was when its file is read under another identity with
/// the same content (compressed into a `.gz` and the plain file deleted while Tailship was down).
@Suite struct BatcherReplayContentTests {
    let plain = LineSource(identity: FileIdentity(device: 1, inode: 10), epoch: 1, fingerprint: 0xfeed, path: "/l/a.log", content: 0xfeed)
    let gz = LineSource(identity: FileIdentity(device: 1, inode: 11), epoch: 1, fingerprint: 0xfeed, path: "/l/a-1.log.gz", content: 0xfeed)
    /// A short fingerprint (the first bytes every audit log shares) says nothing of the content.
    let young = LineSource(identity: FileIdentity(device: 1, inode: 12), epoch: 1, fingerprint: 0xfeed, path: "/l/b.log", content: nil)

    private func cut(_ source: LineSource, lines: Range<Int>, maxEvents: Int, replay: [RecordedBatch] = []) -> [Batch] {
        var batches: [Batch] = []
        let batcher = Batcher(limits: BatchLimits(maxEvents: maxEvents, maxBytes: 1 << 20, maxWait: 10)) { batches.append($0) }
        batcher.replay = replay
        for i in lines {
            let bytes = Array("line \(i)".utf8)
            let end = UInt64((i + 1) * 10)
            bytes.withUnsafeBytes { batcher.add(line: $0, from: source, end: end, start: end - 10) }
        }
        batcher.flush()
        return batches
    }

    @Test func theSameContentUnderAnotherIdentityIsCutAsRecorded() {
        // First run: lines 20..<40 went out as two batches of 10.
        let before = cut(plain, lines: 20..<40, maxEvents: 10)
        #expect(before.map(\.events) == [10, 10])
        let records = before.map(RecordedBatch.init)
        // After the crash the same lines come from the .gz, read in one go (one batch of 20 would be cut).
        let again = cut(gz, lines: 20..<40, maxEvents: 300, replay: records)
        #expect(again.map(\.events) == [10, 10])
        #expect(again.map(\.idempotencyKey) == before.map(\.idempotencyKey))
        #expect(again.map(\.body) == before.map(\.body))
        // Without a distinguishing fingerprint the records are not this file's: cut anew.
        let other = cut(young, lines: 20..<40, maxEvents: 300, replay: records)
        #expect(other.map(\.events) == [20])
        #expect(!before.map(\.idempotencyKey).contains(other[0].idempotencyKey))
    }

    @Test func journalsWithoutContentStillDecode() throws {
        let old = #"{"key":"00000000000000ab","ranges":[{"device":1,"inode":10,"start":0,"end":100}]}"#
        let r = try JSONDecoder().decode(RecordedBatch.self, from: Data(old.utf8))
        #expect(r.ranges[0].content == nil && r.ranges[0].holds(plain) && !r.ranges[0].holds(gz))
    }
}
