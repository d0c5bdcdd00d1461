import TailshipBasics
import TailshipTestSupport
@testable import TailshipTail

/// The model's output: batches what the tailer hands over, has the sink
/// acknowledge them in any order, commits offsets in sequence order as the
/// Shipper does, and checks every line as it is read and delivered.
final class ModelSink: TailHandler {
    struct Line {
        var id: Int
        var identity: FileIdentity
        var epoch: UInt64
        var end: UInt64
    }

    var registry: Registry
    let time: ManualTime
    /// Which file generation (live content between rotations) each written line went to.
    var generationOf: [Int] = []
    var problems: [String] = []
    var batchLimit = 5
    private var batch: [Line] = []
    private var inFlight: [(sequence: Int, lines: [Line])] = []
    private var acked: [Int: [Line]] = [:]
    private var nextSequence = 0
    private var nextCommit = 0
    private(set) var deliveredCount: [Int: Int] = [:]
    /// Delivered, but the registry on disk does not say so yet: read again after a kill.
    private var deliveredNotDurable = Set<Int>()
    private var committedSinceFlush = Set<Int>()
    private(set) var allowedDuplicates = Set<Int>()
    /// This run: the last line read of each generation.
    private var lastRead: [Int: Int] = [:]

    init(registry: Registry, time: ManualTime) {
        self.registry = registry
        self.time = time
    }

    var pending: Int { batch.count + inFlight.count + acked.count }

    func handle(_ piece: FramedPiece, from follower: Follower) {
        guard case .line(let bytes, let end) = piece else {
            problems.append("an oversize piece from \(follower.path)")
            return
        }
        guard let id = Self.id(of: Array(bytes)), id < generationOf.count else {
            problems.append("garbled line \"\(String(decoding: bytes.prefix(40), as: UTF8.self))\" from \(follower.path) ending at \(end)")
            return
        }
        let generation = generationOf[id]
        if let last = lastRead[generation], last >= id {
            problems.append("line \(id) read after line \(last) of the same file in one run (\(follower.path))")
        }
        lastRead[generation] = id
        batch.append(Line(id: id, identity: follower.identity, epoch: follower.epoch, end: end))
        if batch.count >= batchLimit { closeBatch() }
    }

    /// `L000123 xxx`: the id, or nil if the line is not one the writer wrote whole.
    static func id(of line: [UInt8]) -> Int? {
        guard line.count >= 8, line[0] == UInt8(ascii: "L"), line[7] == UInt8(ascii: " "),
              line[8...].allSatisfy({ $0 == UInt8(ascii: "x") }) else { return nil }
        var id = 0
        for b in line[1..<7] {
            guard (0x30...0x39).contains(b) else { return nil }
            id = id * 10 + Int(b - 0x30)
        }
        return id
    }

    func closeBatch() {
        guard !batch.isEmpty else { return }
        inFlight.append((nextSequence, batch))
        nextSequence += 1
        batch = []
    }

    /// The sink answers some of the batches in flight, in any order.
    func acknowledgeSome(_ rng: inout SeededRandom) {
        closeBatch()
        var kept: [(Int, [Line])] = []
        for b in inFlight {
            if rng.below(2) == 0 { deliver(b.lines, sequence: b.sequence) } else { kept.append(b) }
        }
        inFlight = kept
        commitInOrder()
    }

    /// Everything in flight is delivered and acknowledged, in a random order.
    func acknowledgeAll(_ rng: inout SeededRandom) {
        closeBatch()
        while !inFlight.isEmpty {
            let b = inFlight.remove(at: rng.below(inFlight.count))
            deliver(b.lines, sequence: b.sequence)
        }
        commitInOrder()
    }

    private func deliver(_ lines: [Line], sequence: Int?) {
        for line in lines {
            deliveredCount[line.id, default: 0] += 1
            if deliveredCount[line.id]! > 1 && !allowedDuplicates.contains(line.id) {
                problems.append("line \(line.id) delivered twice without a kill since it was made durable")
            }
            deliveredNotDurable.insert(line.id)
        }
        if let sequence { acked[sequence] = lines }
    }

    private func commitInOrder() {
        while let lines = acked.removeValue(forKey: nextCommit) {
            for line in lines {
                registry.commit(line.identity, epoch: line.epoch, offset: line.end, now: time.wall)
                committedSinceFlush.insert(line.id)
            }
            nextCommit += 1
        }
    }

    /// The registry was written: what was committed is durable.
    func flushed() {
        deliveredNotDurable.subtract(committedSinceFlush)
        committedSinceFlush.removeAll()
    }

    /// kill -9: some batches in flight reached the sink without their answer; what
    /// was delivered but is not in the last registry written may arrive again.
    func killed(_ rng: inout SeededRandom) {
        closeBatch()
        for b in inFlight where rng.below(2) == 0 { deliver(b.lines, sequence: nil) }
        allowedDuplicates.formUnion(deliveredNotDurable)
        deliveredNotDurable.removeAll()
        committedSinceFlush.removeAll()
        newRun()
    }

    /// A new process: nothing in flight, order checked afresh.
    func newRun() {
        batch = []
        inFlight = []
        acked = [:]
        nextSequence = 0
        nextCommit = 0
        lastRead = [:]
    }
}

/// A clock the model moves by hand.
final class ManualTime: TimeSource, @unchecked Sendable {
    private(set) var monotonic = 1000.0
    private(set) var wall = 1_795_651_200.0

    func advance(_ seconds: Double) {
        monotonic += seconds
        wall += seconds
    }
}
