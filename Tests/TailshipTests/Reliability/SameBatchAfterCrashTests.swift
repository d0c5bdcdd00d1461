import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// A batch sent again after a crash is the same batch: same key, same bytes.
/// The receiver holds every answer for 2 s, so each SIGKILL leaves batches it
/// has seen unacknowledged; the restarted daemon must send exactly those again.
@Suite(.serialized) struct SameBatchAfterCrashTests {
    @Test func tenKillsWithBatchesInFlightNeverReCutABatch() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["TAILSHIP_SEED"].flatMap { UInt64($0) } ?? UInt64(Date().timeIntervalSince1970))
        var rng = SeededRandom(seed: seed)
        let f = DaemonFixture()
        let receiver = try await TestReceiver(holdAnswers: .seconds(2))
        let output = "  http: {url: \"\(receiver.url)\", timeout: 10s, retry: {initial_backoff: 50ms, max_backoff: 500ms}}"
        let config = f.config(output: output, batch: "{max_events: 300, max_wait: 100ms}")
        let total = 10_000
        let writer = try LumberjackWriter.start(path: f.log, events: total, rate: 400, maxSizeMiB: 1, backups: 20, compress: true)
        var daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "run0")
        #expect(await daemon.ready())
        var kills = 0
        while kills < 10 {
            // Kill only with a request in flight (seen by the receiver, not answered yet).
            let seen = receiver.requests.count
            _ = await eventually(seconds: 10) { receiver.requests.count > seen }
            try await Task.sleep(for: .milliseconds(100 + Int(rng.next() % 1500)))
            kills += 1
            daemon = try await daemon.killedAndRestarted(config: config, directory: f.dir.path, name: "run\(kills)")
        }
        writer.waitUntilExit()
        let written = LumberjackWriter.ids(0..<total)
        _ = await eventually(seconds: 120) { Set(OutputReader.auditIDs(in: receiver.acceptedBytes)).count >= total }
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 30) == 0)
        await receiver.stop()

        // Every body each key came with, and which keys each event came under.
        var bodies: [String: Set<[UInt8]>] = [:]
        var sent: [String: Int] = [:]
        for r in receiver.requests {
            let key = try #require(r.header("Idempotency-Key"))
            bodies[key, default: []].insert(r.body)
            sent[key, default: 0] += 1
        }
        let repeated = sent.filter { $0.value > 1 }
        let differing = repeated.keys.filter { bodies[$0]!.count > 1 }
        var keysOf: [String: Set<String>] = [:]
        var stored: [String] = []
        for (key, set) in bodies {
            for body in set {
                for id in OutputReader.auditIDs(in: body) { keysOf[id, default: []].insert(key) }
                // A receiver that deduplicates by key stores the first body of each key.
                if body == set.first { stored += OutputReader.auditIDs(in: body) }
            }
        }
        let inTwo = keysOf.filter { $0.value.count > 1 }
        let report = DeliveryReport(written: written, delivered: stored)
        print("ten kills with answers held 2 s (seed \(seed)): \(receiver.requests.count) requests, \(bodies.count) keys, "
              + "\(repeated.count) keys sent more than once (\(repeated.values.reduce(0, +) - repeated.count) repeats), "
              + "\(differing.count) with differing bodies, \(inTwo.count) events in two batches; stored by key: \(report)")
        #expect(kills == 10)
        #expect(!repeated.isEmpty, "no batch was sent again: the kills did not catch one in flight")
        #expect(differing.isEmpty, "seed \(seed): keys with differing bodies: \(differing.prefix(3))")
        #expect(inTwo.isEmpty, "seed \(seed): \(inTwo.count) events in two different batches, e.g. \(inTwo.keys.sorted().prefix(3))")
        #expect(report.missing.isEmpty && report.duplicated == 0, "seed \(seed): \(report)")
    }
}
