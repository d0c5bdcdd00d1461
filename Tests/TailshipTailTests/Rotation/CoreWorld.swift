import Foundation
import Logging
import TailshipBasics
import TailshipShip
import TailshipTestSupport
@testable import TailshipTail

/// One in-process model run: writers and rotators acting on a `MemoryFileSystem`,
/// the real `Tailer` (driver and core) following it, `ModelSink` checking each
/// line. Confined to one thread.
final class CoreWorld {
    static let directory = "/var/log"
    static let live = "/var/log/k8s_audit.log"
    /// 2026-11-26T00:00:00Z, the day the backup names carry.
    static let day = 1_795_651_200
    static let logger = Logger(label: "core-model") { _ in SwiftLogNoOpLogHandler() }

    let fs = MemoryFileSystem()
    let time = ManualTime()
    var rng: SeededRandom
    let sink: ModelSink
    var tailer: Tailer?
    var registry: Registry
    /// The registry as last written to disk.
    var flushed: RegistryDocument?
    /// Lines that exist in some file (not lost by copytruncate's own race).
    var expected = Set<Int>()
    var generation = 0
    var rotations = 0
    var readBufferBytes: Int
    /// Prints each step, the files and what was delivered.
    var trace = false

    /// `max_open_files`; TAILSHIP_CORE_MAX_OPEN sets it for every run.
    let maxOpenFiles: Int

    init(seed: UInt64, maxOpenFiles: Int? = nil) {
        self.maxOpenFiles = Int(ProcessInfo.processInfo.environment["TAILSHIP_CORE_MAX_OPEN"] ?? "") ?? maxOpenFiles ?? 64
        rng = SeededRandom(seed: seed ^ 0xC0DE)
        registry = Registry(nil, now: time.wall)
        sink = ModelSink(registry: registry, time: time)
        readBufferBytes = [97, 512, 4096, 1 << 16][rng.below(4)]
        sink.batchLimit = 1 + rng.below(8)
        fs.create(Self.live)
    }

    /// Runs the actions, then lets Tailship catch up; returns what went wrong.
    func run(_ actions: [CoreAction]) -> [String] {
        for (i, action) in actions.enumerated() {
            apply(action)
            lookAround()
            if trace { print(state(after: "\(i) \(action)")) }
            if !sink.problems.isEmpty { return sink.problems.map { "after step \(i) (\(action)): \($0)" } }
        }
        if tailer == nil { start() }
        settle(rounds: 400)
        var problems = sink.problems
        let missing = expected.filter { sink.deliveredCount[$0] == nil }.sorted()
        if !missing.isEmpty {
            problems.append("\(missing.count) lines never delivered, first \(missing.prefix(8).map(String.init).joined(separator: ","))")
        }
        return problems
    }

    func state(after step: String) -> String {
        let files = fs.paths.map { p in "\(p)#\((try? fs.status(p).get())?.identity.inode ?? 0):\(fs.contents(p)?.count ?? 0)" }
        let open = tailer?.followers.map { "\($0.path)#\($0.identity.inode)@\($0.readOffset)/\($0.phase)" } ?? ["stopped"]
        let missing = expected.filter { sink.deliveredCount[$0] == nil }.sorted()
        return "\(step)\n  files \(files)\n  open \(open)\n  missing \(missing.count) \(missing.prefix(5))\n  registry \(registry.entries.map { "\($0.inode)@\($0.offset)/\($0.finalSize.map(String.init) ?? "-")" })"
    }

    // MARK: Tailship

    func start() {
        registry = Registry(flushed, now: time.wall)
        sink.registry = registry
        var options = TailOptions(patterns: [Self.live])
        options.readBufferBytes = readBufferBytes
        options.maxOpenFiles = maxOpenFiles
        var logger = Self.logger
        if trace {
            logger = Logger(label: "core-model") { StreamLogHandler.standardOutput(label: $0) }
            logger.logLevel = .debug
        }
        tailer = Tailer(options: options, registry: registry, logger: logger, fileSystem: fs, time: time)
    }

    /// As on SIGTERM: what was read is delivered and acknowledged, the registry written.
    func stopCleanly() {
        guard tailer != nil else { return }
        sink.acknowledgeAll(&rng)
        flush()
        tailer = nil
        sink.newRun()
    }

    func kill() {
        guard tailer != nil else { return }
        sink.killed(&rng)
        tailer = nil
    }

    func flush() {
        guard tailer != nil else { return }
        flushed = registry.snapshot().document
        sink.flushed()
    }

    /// Time moves on for Tailship and for the files' modification times alike.
    func advance(_ seconds: Double) {
        time.advance(seconds)
        fs.advanceClock(nanoseconds: Int64(seconds * 1e9))
    }

    /// A few passes with time moving on, some acknowledgements between them.
    func lookAround() {
        advance(Double(rng.below(700)) / 1000)
        guard let tailer else { return }
        for _ in 0...rng.below(2) {
            tailer.poll(sink)
            sink.closeBatch()
            if rng.below(3) == 0 { sink.acknowledgeSome(&rng) }
        }
    }

    /// Polls and acknowledges until nothing is left to read or deliver.
    func settle(rounds: Int) {
        guard let tailer else { return }
        var quiet = 0
        for _ in 0..<rounds where quiet < 4 {
            advance(0.5)
            let read = tailer.poll(sink)
            sink.acknowledgeAll(&rng)
            let done = read == 0 && sink.pending == 0 && expected.allSatisfy { sink.deliveredCount[$0] != nil }
            quiet = done ? quiet + 1 : 0
        }
    }
}
