import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// Kill -9 five times while the apiserver-like replayer sends 100,000 events: every event
/// answered 200 reaches the output (an event synced but killed before its answer is sent
/// again by the replayer, so it may arrive twice; none answered 200 may be missing).
@Suite(.serialized) struct WebhookKillTests {
    static let events = 100_000

    @Test func killNineFiveTimesLosesNoEventAnswered200() async throws {
        let f = DaemonFixture()
        let port = freePort()
        let config = f.webhookConfig(port: port, spool: "segment_bytes: 4MiB", outputs: "output:\n\(f.fileOutput)")
        var daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "tailship-0")
        #expect(await daemon.ready())
        let replayer = try WebhookReplayer(url: "http://127.0.0.1:\(port)/audit", events: Self.events, directory: f.dir.path,
                                           extra: ["--rate", "8000", "--initial-backoff", "0.05", "--max-backoff", "0.5"])
        for kill in 1...5 {
            let at = kill * Self.events / 6
            #expect(await eventually(seconds: 120) { replayer.answered >= at })
            daemon = try await daemon.killedAndRestarted(config: config, directory: f.dir.path, name: "tailship-\(kill)")
        }
        let result = try #require(await replayer.finish())
        let delivered = { OutputReader.auditIDs(in: (try? OutputReader.contents(of: f.out)) ?? []) }
        #expect(await eventually(seconds: 120) { Set(delivered()).count >= result.acked.count })
        await daemon.stopCleanly()
        let answered = result.acked.map(WebhookReplayer.auditID)
        let report = DeliveryReport(written: answered, delivered: delivered())
        let retried = result.statuses.filter { $0.key != "200" }.values.reduce(0, +)
        print("webhook kill -9 ×5: sent \(Self.events), answered 200 \(answered.count), failed attempts retried \(retried) \(result.statuses); output: \(report)")
        #expect(answered.count == Self.events && result.dropped.isEmpty)
        #expect(report.missing.isEmpty)
        // Spool segments every output acknowledged are gone: at most the last one or two remain.
        #expect(f.spoolBytes() <= 8 * 1_048_576)
    }
}
