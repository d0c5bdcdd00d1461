import TailshipBasics
import Foundation
import Logging
import Synchronization
import Testing
@testable import TailshipShip

final class ManualClock: @unchecked Sendable {
    var now = 100.0
}

@Suite struct BatcherTests {
    let source = LineSource(identity: FileIdentity(device: 1, inode: 2), epoch: 1, fingerprint: 0xabc, path: "/var/log/a.log")

    func add(_ batcher: Batcher, _ text: String, end: UInt64) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { batcher.add(line: $0, from: source, end: end, start: end - UInt64(bytes.count + 1)) }
    }

    @Test func closesAtMaxEvents() {
        var batches: [Batch] = []
        let batcher = Batcher(limits: BatchLimits(maxEvents: 2, maxBytes: 1 << 20, maxWait: 10)) { batches.append($0) }
        add(batcher, "a", end: 2)
        add(batcher, "b", end: 4)
        add(batcher, "c", end: 6)
        #expect(batches.count == 1)
        #expect(batches[0].body == Array("a\nb\n".utf8))
        #expect(batches[0].segments == [BatchSegment(identity: source.identity, epoch: 1, fingerprint: 0xabc, path: source.path, start: 0, end: 4)])
        batcher.flush()
        #expect(batches.count == 2)
        #expect(batches[1].segments[0].start == 4)
        #expect(batches[1].segments[0].end == 6)
    }

    /// After a crash, lines in flight before it are cut into the same batches, under the
    /// same keys, whatever the limits and timing now; then cutting goes on as usual.
    @Test func recordedBatchesAreCutAgainAsTheyWere() {
        let lines = (0..<10).map { "line-\($0)" }
        var ends: [UInt64] = []
        var offset: UInt64 = 0
        for l in lines { offset += UInt64(l.utf8.count + 1); ends.append(offset) }
        var before: [Batch] = []
        let first = Batcher(limits: BatchLimits(maxEvents: 3, maxBytes: 1 << 20, maxWait: 10)) { before.append($0) }
        for (l, e) in zip(lines, ends) { add(first, l, end: e) }
        // Batch 1 was acknowledged; 2 and 3 were in flight (recorded in the order they were sent: 3 first).
        #expect(before.count == 3)
        var after: [Batch] = []
        let clock = ManualClock()
        let second = Batcher(limits: BatchLimits(maxEvents: 2, maxBytes: 1 << 20, maxWait: 0.01), clock: { clock.now }) { after.append($0) }
        second.replay = [RecordedBatch(before[2]), RecordedBatch(before[1])]
        for (l, e) in zip(lines, ends).dropFirst(3) {
            add(second, l, end: e)
            clock.now += 1
            second.flushIfDue()
        }
        #expect(after.count >= 3)
        #expect(after[0].body == before[1].body && after[0].idempotencyKey == before[1].idempotencyKey)
        #expect(after[1].body == before[2].body && after[1].idempotencyKey == before[2].idempotencyKey)
        #expect(after[2].recordedKey == nil && after[2].body == Array("line-9\n".utf8))
    }

    @Test func closesBeforeExceedingMaxBytes() {
        var batches: [Batch] = []
        let batcher = Batcher(limits: BatchLimits(maxEvents: 100, maxBytes: 10, maxWait: 10)) { batches.append($0) }
        add(batcher, "1234", end: 5)    // 5 bytes
        add(batcher, "5678", end: 10)   // 10 bytes: full, closes
        add(batcher, "abcdef", end: 17)
        add(batcher, "ghi", end: 21)    // would pass 10: the batch before closes first
        #expect(batches.map(\.events) == [2, 1])
        #expect(batches.allSatisfy { $0.body.count <= 10 })
    }

    @Test func closesAtMaxWait() {
        var batches: [Batch] = []
        let clock = ManualClock()
        let batcher = Batcher(limits: BatchLimits(maxEvents: 100, maxBytes: 1 << 20, maxWait: 1), clock: { clock.now }) { batches.append($0) }
        batcher.flushIfDue()
        #expect(batcher.deadline == nil)
        add(batcher, "x", end: 2)
        #expect(batcher.deadline == 101)
        clock.now = 100.9
        batcher.flushIfDue()
        #expect(batches.isEmpty)
        clock.now = 101
        batcher.flushIfDue()
        #expect(batches.count == 1)
    }

    @Test func skippedBytesAreCommittedWithoutEvents() {
        var batches: [Batch] = []
        let batcher = Batcher(limits: BatchLimits()) { batches.append($0) }
        batcher.skip(from: source, start: 0, end: 1)
        batcher.flush()
        #expect(batches.count == 1)
        #expect(batches[0].events == 0)
        #expect(batches[0].segments[0].end == 1)
    }

    @Test func idempotencyKeyDependsOnlyOnFileRanges() {
        let seg = BatchSegment(identity: source.identity, epoch: 1, fingerprint: 0xabc, path: "/a", start: 0, end: 100)
        var other = seg
        other.epoch = 9          // epochs are per process: not part of the key
        other.path = "/renamed"  // a renamed file is the same file
        let a = Batch(sequence: 1, body: [1], events: 1, segments: [seg])
        let b = Batch(sequence: 7, body: [2], events: 1, segments: [other])
        #expect(a.idempotencyKey == b.idempotencyKey)
        var moved = seg
        moved.end = 101
        #expect(Batch(sequence: 1, body: [], events: 1, segments: [moved]).idempotencyKey != a.idempotencyKey)
        #expect(a.idempotencyKey.count == 16)
    }
}

@Suite struct BatchQueueTests {
    @Test func putBlocksWhileFullAndResumesWhenTaken() async throws {
        let queue = BatchQueue(capacity: 1)
        let batch = Batch(sequence: 1, body: [], events: 0, segments: [])
        #expect(queue.put(batch))
        // Full: a second put gives up when told to.
        #expect(!queue.put(batch, giveUp: { true }))
        let got = await queue.next()
        #expect(got?.sequence == 1)
        #expect(queue.put(Batch(sequence: 2, body: [], events: 0, segments: [])))
        queue.finish()
        #expect(await queue.next()?.sequence == 2)
        #expect(await queue.next() == nil)
    }
}

@Suite struct ShipperTests {
    /// Finishes batches in the order given by `delays` (seconds by sequence), whatever the order they came in.
    final class SlowSink: Sink, @unchecked Sendable {
        let delays: [UInt64: Double]
        init(delays: [UInt64: Double]) { self.delays = delays }
        func deliver(_ batch: Batch) async throws -> Delivery {
            try await Task.sleep(for: .milliseconds(Int((delays[batch.sequence] ?? 0) * 1000)))
            return .acknowledged
        }
        func shutdown() async {}
    }

    @Test func batchesFinishedOutOfOrderAreAcknowledgedInOrder() async throws {
        let queue = BatchQueue(capacity: 8)
        let order = Mutex<[UInt64]>([])
        let shipper = Shipper(queue: queue, sink: SlowSink(delays: [1: 0.3, 2: 0.1, 3: 0.0, 4: 0.2]), maxInFlight: 4,
                              stats: ShipStats(), logger: Logger(label: "test")) { batch in order.withLock { $0.append(batch.sequence) } }
        for s in 1...6 { queue.put(Batch(sequence: UInt64(s), body: Array("x\n".utf8), events: 1, segments: [])) }
        queue.finish()
        try await shipper.run()
        #expect(order.withLock { $0 } == [1, 2, 3, 4, 5, 6])
    }

    /// Throws an error that is not cancellation on the first attempts at batch 2.
    final class FlakySink: Sink, @unchecked Sendable {
        struct Broken: Error {}
        let failures = Mutex(2)
        func deliver(_ batch: Batch) async throws -> Delivery {
            if batch.sequence == 2, failures.withLock({ f in defer { f -= 1 }; return f > 0 }) { throw Broken() }
            return .acknowledged
        }
        func shutdown() async {}
    }

    @Test func aBatchWhoseDeliveryThrowsIsTriedAgainNotDropped() async throws {
        let queue = BatchQueue(capacity: 8)
        let order = Mutex<[UInt64]>([])
        let stats = ShipStats()
        let shipper = Shipper(queue: queue, sink: FlakySink(), maxInFlight: 2, stats: stats, logger: Logger(label: "test")) { batch in
            order.withLock { $0.append(batch.sequence) }
        }
        for s in 1...4 { queue.put(Batch(sequence: UInt64(s), body: Array("x\n".utf8), events: 1, segments: [])) }
        queue.finish()
        try await shipper.run()
        #expect(order.withLock { $0 } == [1, 2, 3, 4])
        #expect(stats.batchErrors.load(ordering: .relaxed) == 2)
        #expect(stats.eventsShipped.load(ordering: .relaxed) == 4)
    }

    /// Prepares slowly for early batches and quickly for late ones; records the order of stores.
    final class OrderedTestSink: OrderedSink, @unchecked Sendable {
        let stored = Mutex<[UInt64]>([])
        let preparing = Mutex((now: 0, most: 0))
        func prepare(_ batch: Batch) async throws -> [UInt8] {
            preparing.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            try await Task.sleep(for: .milliseconds(Int(batch.sequence % 3 == 1 ? 150 : 10)))
            preparing.withLock { $0.now -= 1 }
            return batch.body
        }
        func store(_ prepared: [UInt8], of batch: Batch) async throws -> Delivery {
            #expect(prepared == batch.body)
            stored.withLock { $0.append(batch.sequence) }
            return .acknowledged
        }
        func deliver(_ batch: Batch) async throws -> Delivery { try await store(try await prepare(batch), of: batch) }
        func shutdown() async {}
    }

    @Test func anOrderedSinkPreparesInParallelAndStoresInSequence() async throws {
        let queue = BatchQueue(capacity: 8)
        let sink = OrderedTestSink()
        let acknowledged = Mutex<[UInt64]>([])
        let shipper = Shipper(queue: queue, sink: sink, maxInFlight: 3, stats: ShipStats(), logger: Logger(label: "test")) { batch in
            acknowledged.withLock { $0.append(batch.sequence) }
        }
        Task {
            for s in 1...12 {
                // Every fourth batch only skips bytes (no events): it is never stored but keeps its place.
                let events = s % 4 == 0 ? 0 : 1
                _ = queue.put(Batch(sequence: UInt64(s), body: events > 0 ? Array("line \(s)\n".utf8) : [], events: events, segments: []))
            }
            queue.finish()
        }
        try await shipper.run()
        #expect(sink.stored.withLock { $0 } == [1, 2, 3, 5, 6, 7, 9, 10, 11])
        #expect(acknowledged.withLock { $0 } == Array(1...12))
        #expect(sink.preparing.withLock { $0.most } >= 2)
    }

    /// Resident memory of this process, from /proc/self/statm.
    static func residentBytes() -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    final class NullSink: Sink, @unchecked Sendable {
        func deliver(_ batch: Batch) async throws -> Delivery { .acknowledged }
        func shutdown() async {}
    }

    /// A long-running daemon ships batches for weeks: each one's delivery task
    /// must be freed when it finishes, not kept until the shipper stops.
    /// AddressSanitizer holds freed memory in quarantine, so resident memory says nothing there.
    static let underAddressSanitizer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil

    @Test(.disabled(if: underAddressSanitizer, "AddressSanitizer's quarantine keeps freed memory resident"))
    func finishedDeliveriesDoNotAccumulate() async throws {
        let queue = BatchQueue(capacity: 64)
        let count = 30_000
        let acknowledged = Mutex(0)
        let shipper = Shipper(queue: queue, sink: NullSink(), maxInFlight: 4, stats: ShipStats(), logger: Logger(label: "test")) { _ in
            acknowledged.withLock { $0 += 1 }
        }
        let before = Self.residentBytes()
        // A thread of its own, as the reader has: put blocks, which must not starve the cooperative pool.
        Thread {
            for s in 1...count { _ = queue.put(Batch(sequence: UInt64(s), body: Array("x\n".utf8), events: 1, segments: [])) }
            queue.finish()
        }.start()
        try await shipper.run()
        let grown = Self.residentBytes() - before
        #expect(acknowledged.withLock { $0 } == count)
        #expect(grown < 24 << 20, "resident memory grew by \(grown >> 20) MiB over \(count) batches")
    }

    @Test func cancelledWithBatchesQueuedFreesTheQueueCleanly() async throws {
        // libdispatch traps when a semaphore is freed below its initial value: queued batches must give their slots back.
        var queue: BatchQueue? = BatchQueue(capacity: 3)
        for s in 1...3 { queue!.put(Batch(sequence: UInt64(s), body: [], events: 0, segments: [])) }
        queue!.cancel()
        #expect(!queue!.put(Batch(sequence: 4, body: [], events: 0, segments: []), giveUp: { true }))
        queue = nil
    }
}
