import TailshipBasics

/// Where a line came from, as the batcher records it.
public struct LineSource: Sendable {
    public var identity: FileIdentity
    public var epoch: UInt64
    public var fingerprint: UInt64
    public var path: String
    /// The fingerprint's hash when it covers enough bytes to tell files apart (nil otherwise):
    /// the same content read under another identity (a rotated file's `.gz`) has the same one.
    public var content: UInt64?

    public init(identity: FileIdentity, epoch: UInt64, fingerprint: UInt64, path: String, content: UInt64? = nil) {
        self.identity = identity
        self.epoch = epoch
        self.fingerprint = fingerprint
        self.path = path
        self.content = content
    }
}

/// Collects lines into batches and hands each closed batch to `emit`.
/// Used on the reader thread only; `emit` may block for backpressure.
public final class Batcher {
    public let limits: BatchLimits
    private let emit: (Batch) -> Void
    private let clock: () -> Double
    private var current: Batch
    private var nextSequence: UInt64 = 1
    /// Monotonic time the current batch got its first content.
    public private(set) var openedAt: Double?
    /// Batches that were in flight when the last run stopped, oldest first: the
    /// lines they covered are cut into the same batches again, under the same keys.
    public var replay: [RecordedBatch] = []
    /// The open batch is `active`, one of `replay`'s: no limit closes it before its recorded end.
    private var replaying = false
    private var active: RecordedBatch?

    public init(limits: BatchLimits, clock: @escaping () -> Double = monotonicSeconds, emit: @escaping (Batch) -> Void) {
        self.limits = limits
        self.clock = clock
        self.emit = emit
        current = Batch(sequence: 1, body: [], events: 0, segments: [])
        current.body.reserveCapacity(min(limits.maxBytes, 8 << 20) + 4096)
    }

    /// When the open batch must close, if one is open (never while it is cut as recorded).
    public var deadline: Double? { replaying ? nil : openedAt.map { $0 + limits.maxWait } }

    /// Adds one line (without its `\n`) ending at file offset `end`.
    public func add(line: UnsafeRawBufferPointer, from source: LineSource, end: UInt64, start: UInt64) {
        if !replaying && current.events > 0 && current.body.count + line.count + 1 > limits.maxBytes {
            flush()
        }
        current.body.append(contentsOf: line)
        current.body.append(0x0A)
        current.events += 1
        cover(source, start: start, end: end)
        if !replaying && (current.events >= limits.maxEvents || current.body.count >= limits.maxBytes) {
            flush()
        }
    }

    /// Records that bytes up to `end` need no shipping (an empty line, an
    /// oversize line dead-lettered), so they are committed with this batch.
    public func skip(from source: LineSource, start: UInt64, end: UInt64) {
        cover(source, start: start, end: end)
    }

    /// Closes the open batch if its `max_wait` has passed.
    public func flushIfDue() {
        if let deadline, clock() >= deadline { flush() }
    }

    /// Closes the open batch now, if it holds anything. One cut short of its recorded
    /// end (a shutdown) is not the recorded batch: it gets a key of its own.
    public func flush() {
        guard !current.segments.isEmpty else { return }
        if replaying { giveUpReplay() }
        let batch = current
        nextSequence += 1
        current = Batch(sequence: nextSequence, body: [], events: 0, segments: [])
        current.body.reserveCapacity(min(limits.maxBytes, 8 << 20) + 4096)
        openedAt = nil
        emit(batch)
    }

    private func cover(_ source: LineSource, start: UInt64, end: UInt64) {
        if openedAt == nil { openedAt = clock() }
        if !replay.isEmpty && current.segments.isEmpty { beginReplay(source, at: start) }
        if let last = current.segments.indices.last,
           current.segments[last].identity == source.identity, current.segments[last].epoch == source.epoch {
            current.segments[last].end = end
            current.segments[last].path = source.path
        } else {
            current.segments.append(BatchSegment(identity: source.identity, epoch: source.epoch, fingerprint: source.fingerprint, content: source.content,
                                                 path: source.path, start: start, end: end))
        }
        if replaying { continueReplay(source, end: end) }
    }

    /// A batch starts where a recorded one started: cut it as recorded. (Records are
    /// looked up by where they start: batches are recorded as they are sent, which
    /// is not always in order.) Records of this file that start earlier can no
    /// longer be cut as they were (committed, or their lines already batched).
    private func beginReplay(_ source: LineSource, at start: UInt64) {
        replay.removeAll { r in r.ranges.first.map { $0.holds(source) && $0.start < start } ?? true }
        guard let i = replay.firstIndex(where: { r in r.ranges.first.map { $0.holds(source) && $0.start == start } ?? false }) else { return }
        active = replay.remove(at: i)
        replaying = true
        current.recordedKey = active?.key
    }

    /// Closes the batch at its recorded end; gives the record up if the lines went past it.
    private func continueReplay(_ source: LineSource, end: UInt64) {
        guard let record = active, let last = record.ranges.last else { giveUpReplay(); return }
        guard record.ranges.contains(where: { $0.holds(source) && end <= $0.end }) else {
            // Read past what the record covers: not the same batch after all.
            giveUpReplay()
            return
        }
        guard last.holds(source) && end == last.end else { return }
        if current.segments.count == record.ranges.count {
            active = nil
            replaying = false
            flush()
        } else {
            giveUpReplay()
        }
    }

    private func giveUpReplay() {
        active = nil
        replaying = false
        current.recordedKey = nil
    }

}
