import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// The output stalls for 30 s: the webhook still answers within milliseconds (measured by the
/// replayer), the spool grows, and afterwards everything ships and the spool is emptied.
@Suite(.serialized) struct WebhookStallTests {
    @Test func answersStayFastWhileTheOutputIsStalled() async throws {
        let w = try await StalledWebhook(spool: "segment_bytes: 8MiB")
        let (f, receiver, daemon, monitoring) = (w.f, w.receiver, w.daemon, w.monitoring)
        // 30 s at 2,000 events/s, in EventLists of 400 (one every 0.2 s), as a busy apiserver sends them.
        let events = 60_000
        let began = Date()
        let replayer = try WebhookReplayer(url: w.url, events: events, directory: f.dir.path,
                                           extra: ["--rate", "2000"])
        let result = try #require(await replayer.finish(seconds: 120))
        let stalledFor = Date().timeIntervalSince(began)
        let spooled = f.spoolBytes()
        let acceptedDuringStall = eventListIDs(receiver).count
        try w.resume()
        let lat = result.latencies_ms.sorted()
        print("webhook stall: output stalled \(String(format: "%.1f", stalledFor)) s; \(result.acked.count) events answered 200 in \(lat.count) requests; answer ms p50 \(lat[lat.count / 2]), p99 \(result.p99_ms), max \(lat.last ?? -1); spool \(spooled) bytes; the output accepted \(acceptedDuringStall) during the stall")
        #expect(stalledFor >= 30)
        #expect(result.acked.count == events && result.statuses == ["200": events / 400])
        #expect(result.p99_ms <= 20)
        #expect(acceptedDuringStall == 0 && spooled > 30 * 1_048_576)
        #expect(await eventually(seconds: 120) { Set(eventListIDs(receiver)).count >= events })
        let report = DeliveryReport(written: result.acked.map(WebhookReplayer.auditID), delivered: eventListIDs(receiver))
        print("webhook stall, after: \(report)")
        #expect(report.missing.isEmpty && report.duplicated == 0)
        #expect(await eventually(seconds: 30) { f.spoolBytes() <= 8 * 1_048_576 })
        let metrics = try monitoring.scrape()
        #expect(metrics.value("tailship_webhook_events_total") == Double(events))
        // Deleting an acknowledged segment is no loss.
        #expect(metrics.value("tailship_files_lost_total") == 0)
        #expect(metrics.value("tailship_webhook_append_seconds_count") ?? 0 >= Double(events / 400))
        await daemon.stopCleanly()
    }
}
