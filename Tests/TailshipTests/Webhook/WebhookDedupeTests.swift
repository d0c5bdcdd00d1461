import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// A cluster running both audit backends: every event is in the log file and comes by the
/// webhook. With `dedupe_with_files: true` each ships once; without, twice (the control).
@Suite(.serialized) struct WebhookDedupeTests {
    static let events = 4_000

    @Test func eventsArrivingByFileAndWebhookShipOnceWithDedupe() async throws {
        let (delivered, duplicates) = try await run(dedupe: true)
        let counts = Dictionary(delivered.map { ($0, 1) }, uniquingKeysWith: +)
        print("webhook dedupe on: \(delivered.count) lines delivered for \(Self.events) events sent by both backends; tailship_lines_duplicate_total \(duplicates)")
        #expect(counts.count == Self.events && counts.values.allSatisfy { $0 == 1 })
        #expect(duplicates == Double(Self.events))
    }

    @Test func withoutDedupeEachEventShipsTwice() async throws {
        let (delivered, duplicates) = try await run(dedupe: false)
        let counts = Dictionary(delivered.map { ($0, 1) }, uniquingKeysWith: +)
        print("webhook dedupe off (control): \(delivered.count) lines delivered for \(Self.events) events sent by both backends")
        #expect(counts.count == Self.events && counts.values.allSatisfy { $0 == 2 })
        #expect(duplicates == 0)
    }

    /// The file gets the first half, then the webhook everything, then the file the second half.
    private func run(dedupe: Bool) async throws -> ([String], Double) {
        let f = DaemonFixture()
        _ = FileManager.default.createFile(atPath: f.log, contents: nil)
        let port = freePort()
        let config = f.webhookConfig(port: port, webhook: "dedupe_with_files: \(dedupe)", outputs: "output:\n\(f.fileOutput)", alsoFile: true)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let monitoring = try #require(await MonitoringClient.address(of: daemon))
        // As the log backend writes them: kind and apiVersion first, then the event.
        let lines = WebhookRefusalTests.items(ids: 0..<Self.events).map { #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","# + $0.dropFirst() }
        appendLines(Array(lines[..<(Self.events / 2)]), to: f.log)
        let result = try #require(await (try WebhookReplayer(url: "http://127.0.0.1:\(port)/audit", events: Self.events,
                                                             directory: f.dir.path)).finish(seconds: 60))
        #expect(result.acked.count == Self.events)
        appendLines(Array(lines[(Self.events / 2)...]), to: f.log)
        let expected = dedupe ? Self.events : 2 * Self.events
        let delivered = { OutputReader.auditIDs(in: (try? OutputReader.contents(of: f.out)) ?? []) }
        #expect(await eventually(seconds: 60) { delivered().count >= expected })
        try? await Task.sleep(for: .milliseconds(500))
        let duplicates = try monitoring.scrape().value("tailship_lines_duplicate_total") ?? -1
        await daemon.stopCleanly()
        return (delivered(), duplicates)
    }
}
