import Foundation
import Tailship
import TailshipShip
import Testing
import TailshipTestSupport

/// Random sequences of write, rename-rotate, compress, copytruncate, delete,
/// restart and kill, run against the real daemon and compared with a trivial
/// model: every written line is delivered; exactly once unless the sequence
/// killed the daemon. Reproduce one with TAILSHIP_MODEL_SEED.
@Suite(.serialized) struct RotationModelTests {
    static let baseSeed = UInt64(ProcessInfo.processInfo.environment["TAILSHIP_MODEL_SEED"] ?? "") ?? 20_261_126

    typealias Action = RotationAction

    final class World {
        /// 2026-11-26T00:00:00Z, the day the test's backup names carry.
        static let day = 1_795_651_200
        let f = DaemonFixture()
        let config: String
        var daemon: TailshipProcess?
        var written: [String] = []
        var rotations = 0
        var killed = false
        var runs = 0

        init() {
            config = f.config(output: f.fileOutput, batch: "{max_events: 100, max_wait: 30ms}", shutdown: "5s")
            _ = FileManager.default.createFile(atPath: f.log, contents: nil, attributes: [.posixPermissions: 0o600])
        }

        var running: Bool { daemon != nil }

        func start() async throws {
            runs += 1
            let d = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "run\(runs)")
            #expect(await d.ready())
            daemon = d
        }

        func stop(_ signal: Int32) async {
            guard let d = daemon else { return }
            d.signal(signal)
            let status = await d.waitForExit(seconds: 15)
            if signal == SIGTERM { #expect(status == 0, "SIGTERM exit status") }
            daemon = nil
        }

        /// Backups on disk, oldest first (names carry an increasing counter).
        func backups() -> [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: f.dir.path)) ?? []
            return names.filter { $0.hasPrefix("k8s_audit-") || $0.hasPrefix("k8s_audit.log-") }
                .sorted { order($0) < order($1) }.map { f.dir.file($0) }
        }

        private func order(_ name: String) -> Int {
            // k8s_audit-2026-11-26T00-00-NN.000.log[.gz] or k8s_audit.log-20261126-NN: NN is the counter.
            if name.hasPrefix("k8s_audit.log-") { return Int(name.split(separator: "-").last!.prefix { $0.isNumber })! - Self.day }
            let stamp = name.dropFirst("k8s_audit-".count).prefix(23)
            return Int(stamp.dropFirst(14).prefix(2))! * 60 + Int(stamp.dropFirst(17).prefix(2))!
        }

        func delivered() -> [String] {
            OutputReader.auditIDs(in: (try? OutputReader.contents(of: f.out)) ?? [])
        }

        func apply(_ action: Action, rng: inout SeededRandom) async throws {
            switch action {
            case .write(let n):
                var text = ""
                for _ in 0..<n {
                    let id = String(format: "m-%06d", written.count)
                    written.append(id)
                    text += "{\"kind\":\"Event\",\"auditID\":\"\(id)\",\"pad\":\"\(String(repeating: "x", count: rng.below(200)))\"}\n"
                }
                appendText(text, to: f.log)
            case .rotate:
                rotations += 1
                let name = String(format: "k8s_audit-2026-11-26T00-%02d-%02d.000.log", rotations / 60, rotations % 60)
                try FileManager.default.moveItem(atPath: f.log, toPath: f.dir.file(name))
                _ = FileManager.default.createFile(atPath: f.log, contents: nil, attributes: [.posixPermissions: 0o600])
            case .compress:
                // As lumberjack: write the .gz beside the backup, then remove the backup.
                guard let plain = backups().first(where: { !$0.hasSuffix(".gz") }) else { return }
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: plain)))
                try Data(try Gzip.compress(bytes, level: 6)).write(to: URL(fileURLWithPath: plain + ".gz"))
                try FileManager.default.removeItem(atPath: plain)
            case .copytruncate:
                rotations += 1
                // logrotate's dateext with an epoch, in step with the lumberjack names' times.
                let copy = f.dir.file(String(format: "k8s_audit.log-20261126-%d", Self.day + rotations))
                try FileManager.default.copyItem(atPath: f.log, toPath: copy)
                truncate(f.log, 0)
            case .deleteOldest:
                // Only what was shipped: deleting unshipped data loses it by design.
                guard running, let oldest = backups().first else { return }
                let all = written
                _ = await eventually(seconds: 20) { Set(delivered()).isSuperset(of: all) }
                try FileManager.default.removeItem(atPath: oldest)
            case .restart:
                await stop(SIGTERM)
                try await start()
            case .kill:
                guard running else { return }
                killed = true
                await stop(SIGKILL)
                try await start()
            case .stop:
                await stop(SIGTERM)
            case .start:
                if !running { try await start() }
            }
        }
    }

    static func actions(seed: UInt64) -> [Action] { RotationScript.actions(seed: seed) }

    static let count = Int(ProcessInfo.processInfo.environment["TAILSHIP_MODEL_COUNT"] ?? "") ?? 50

    @Test(arguments: 0..<count)
    func randomSequenceMatchesModel(_ n: Int) async throws {
        try await run(seed: Self.baseSeed &+ UInt64(n))
    }

    /// Sequences that once failed (see `RotationScript.onceFailingSeeds`); the in-process model test replays them too.
    @Test(arguments: RotationScript.onceFailingSeeds)
    func sequenceThatOnceFailed(_ seed: UInt64) async throws {
        try await run(seed: seed)
    }

    func run(seed: UInt64) async throws {
        let actions = Self.actions(seed: seed)
        var rng = SeededRandom(seed: seed ^ 0xABCD)
        let world = World()
        // Printed so a failure in CI can be replayed and its daemon logs found (TAILSHIP_KEEP_TEST_DIRS=1).
        print("model seed \(seed): \(actions) in \(world.f.dir.path)")
        for action in actions {
            try await world.apply(action, rng: &rng)
        }
        if !world.running { try await world.start() }
        let expected = world.written
        _ = await eventually(seconds: 20) { Set(world.delivered()).isSuperset(of: expected) }
        let delivered = world.delivered()
        let context = "seed \(seed), actions \(actions)"
        let report = DeliveryReport(written: expected, delivered: delivered)
        #expect(report.missing.isEmpty, "\(report); \(context)")
        if !world.killed {
            #expect(report.duplicated == 0, "\(report) without a kill; \(context)")
        }
        // Order is kept within each file; across files, a rotation racing a restart can
        // interleave them. Reported, not asserted (see docs/ROTATION.md).
        if !inOrderAtLeastOnce(delivered, expected: expected) {
            print("model seed \(seed): order across files departs \(firstDeparture(delivered, expected: expected))")
        }
        await world.stop(SIGTERM)
    }
}
