import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// A spool at `max_bytes` answers 429 with Retry-After at once; the replayer backs off and
/// sends again, and once the output takes events again (segments deleted) nothing is lost.
@Suite(.serialized) struct WebhookSpoolFullTests {
    @Test func aFullSpoolAnswers429AndNothingIsLostOnceSpaceReturns() async throws {
        let w = try await StalledWebhook(spool: "max_bytes: 1MiB, segment_bytes: 128KiB")
        let (f, receiver, daemon, monitoring) = (w.f, w.receiver, w.daemon, w.monitoring)
        let events = 6_000
        let replayer = try WebhookReplayer(url: w.url, events: events, directory: f.dir.path,
                                           extra: ["--batch", "100", "--max-backoff", "1"])
        let full = { (try? monitoring.scrape())?.value("tailship_webhook_requests_total", ["code": "429"]) ?? 0 }
        #expect(await eventually(seconds: 60) { full() >= 3 })
        let spooledWhenFull = f.spoolBytes()
        let answeredWhenFull = replayer.answered
        // A 429 is answered at once, with Retry-After.
        let direct = try WebhookReplayer.post(w.url, body: WebhookRefusalTests.eventList(ids: 900_000..<900_100),
                                              directory: f.dir.path)
        #expect(direct.status == 429 && direct.retryAfter == "1" && direct.text.contains("spool full"))
        try w.resume()
        let result = try #require(await replayer.finish(seconds: 180))
        #expect(await eventually(seconds: 60) { Set(eventListIDs(receiver)).count >= events })
        let report = DeliveryReport(written: result.acked.map(WebhookReplayer.auditID), delivered: eventListIDs(receiver))
        print("webhook spool full: spool \(spooledWhenFull) bytes (max 1048576) with \(answeredWhenFull) events answered 200; replayer statuses \(result.statuses); output: \(report)")
        #expect(spooledWhenFull <= 1_048_576 && result.statuses["429", default: 0] >= 1)
        #expect(result.acked.count == events && result.dropped.isEmpty)
        #expect(report.missing.isEmpty && report.duplicated == 0)
        #expect(daemon.stderr.contains("webhook spool full") && daemon.stderr.contains("webhook spool has room again"))
        await daemon.stopCleanly()
    }
}
