import TailshipTestSupport

/// One step of an in-process model sequence: what writers, rotators and the
/// operator do to the files, and what happens to Tailship.
enum CoreAction: Sendable, Equatable, CustomStringConvertible {
    /// How logrotate's copytruncate copy relates to the truncation.
    enum CopyTiming: Sendable, Equatable {
        /// The copy is complete before the truncation (logrotate).
        case before
        /// The copy is seen while it is being written; the truncation follows its completion.
        case during
        /// The copy appears only after the truncation (copied aside, then compressed into place).
        case after
    }

    /// `n` lines; `torn`: the last is written in two parts with a look in between.
    case write(Int, torn: Bool)
    /// lumberjack: rename to a timestamped backup; the live file is created now or by the next write.
    case rotate(createNow: Bool)
    /// lumberjack: the oldest plain backup gzipped beside itself (in two parts if `partial`), then removed.
    case compress(partial: Bool)
    /// logrotate copytruncate; `lostLines` written after the copy and before the truncation.
    case copytruncate(CopyTiming, gzipCopy: Bool, lostLines: Int)
    /// Delete the oldest backup once everything was delivered.
    case deleteOldest
    /// Delete a backup Tailship holds open right now (its lines must still arrive).
    case deleteOpenBackup
    /// The registry is written to disk.
    case flush
    /// Stop and start; `flush`: as on SIGTERM, else as after kill -9 (the last flushed registry).
    case restart(flush: Bool)
    case stop
    case start
    /// The sink acknowledges some of the batches in flight, in any order.
    case acknowledge

    var description: String {
        switch self {
        case .write(let n, let torn): return torn ? "write(\(n),torn)" : "write(\(n))"
        case .rotate(let now): return now ? "rotate" : "rotate(lazy)"
        case .compress(let partial): return partial ? "compress(partial)" : "compress"
        case .copytruncate(let t, let gz, let lost): return "copytruncate(\(t)\(gz ? ",gz" : "")\(lost > 0 ? ",lost \(lost)" : ""))"
        case .deleteOldest: return "deleteOldest"
        case .deleteOpenBackup: return "deleteOpenBackup"
        case .flush: return "flush"
        case .restart(let flush): return flush ? "restart" : "kill"
        case .stop: return "stop"
        case .start: return "start"
        case .acknowledge: return "ack"
        }
    }

    /// The process-level model test's steps, as the in-process world runs them.
    init(_ action: RotationAction) {
        switch action {
        case .write(let n): self = .write(n, torn: false)
        case .rotate: self = .rotate(createNow: true)
        case .compress: self = .compress(partial: false)
        case .copytruncate: self = .copytruncate(.before, gzipCopy: false, lostLines: 0)
        case .deleteOldest: self = .deleteOldest
        case .restart: self = .restart(flush: true)
        case .kill: self = .restart(flush: false)
        case .stop: self = .stop
        case .start: self = .start
        }
    }

    /// A random sequence: starts Tailship, then 10 to 30 steps.
    static func sequence(seed: UInt64) -> [CoreAction] {
        var rng = SeededRandom(seed: seed)
        var list: [CoreAction] = [.start]
        var running = true
        for _ in 0..<(10 + rng.below(21)) {
            let next = step(&rng, running: running)
            guard let next else { continue }
            if next == .stop || next == .start { running = next == .start }
            list.append(next)
        }
        return list
    }

    private static func step(_ rng: inout SeededRandom, running: Bool) -> CoreAction? {
        switch rng.below(20) {
        case 0...5: return .write(1 + rng.below(40), torn: rng.below(4) == 0)
        case 6, 7: return .rotate(createNow: rng.below(3) > 0)
        case 8: return .compress(partial: rng.below(2) == 0)
        case 9, 10:
            let timing: [CopyTiming] = [.before, .during, .after]
            return .copytruncate(timing[rng.below(3)], gzipCopy: rng.below(3) == 0, lostLines: rng.below(4) == 0 ? 1 + rng.below(3) : 0)
        case 11: return running ? .deleteOldest : nil
        case 12: return running ? .deleteOpenBackup : nil
        case 13: return .flush
        case 14: return running ? .restart(flush: true) : .start
        case 15: return running ? .restart(flush: false) : .start
        case 16: return running ? .stop : .start
        default: return .acknowledge
        }
    }
}
