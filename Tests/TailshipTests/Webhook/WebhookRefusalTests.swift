import Foundation
import Tailship
import TailshipShip
import Testing
import TailshipTestSupport

/// Malformed bodies get 400 or 413 with a message naming the problem, and the spool stays
/// as it was; a valid EventList afterwards is answered 200 and shipped.
@Suite(.serialized) struct WebhookRefusalTests {
    @Test func malformedBodiesAreRefusedAndLeaveTheSpoolUntouched() async throws {
        let f = DaemonFixture()
        let port = freePort()
        let config = f.webhookConfig(port: port, webhook: "max_body_bytes: 64KiB", outputs: "output:\n\(f.fileOutput)")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let url = "http://127.0.0.1:\(port)/audit"
        let valid = Self.eventList(ids: 0..<3)
        let big = Self.eventList(ids: 0..<200)
        let bigCompressed = try Gzip.compress(big, level: 6)
        let cases: [(String, [UInt8], [String], Int, String)] = [
            ("not JSON", Array("this is not json".utf8), [], 400, "not one JSON object"),
            ("wrong kind", Array(#"{"kind":"PodList","apiVersion":"v1","items":[]}"#.utf8), [], 400, "kind is \"PodList\""),
            ("an item without auditID", Array(#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"stage":"ResponseComplete"}]}"#.utf8), [],
             400, "items[0]: no auditID"),
            ("truncated gzip", Array(try Gzip.compress(valid, level: 6).prefix(40)), ["Content-Encoding:gzip"], 400, "not whole gzip"),
            ("over the limit", big, [], 413, "max_body_bytes"),
            ("over the limit once decompressed", bigCompressed, ["Content-Encoding:gzip"], 413, "once decompressed"),
        ]
        #expect(big.count > 64 * 1024 && bigCompressed.count < 64 * 1024)
        for (name, body, headers, status, message) in cases {
            let answer = try WebhookReplayer.post(url, body: body, headers: headers, directory: f.dir.path)
            print("webhook refusal, \(name): \(answer.status) \(answer.text.trimmingCharacters(in: .newlines))")
            #expect(answer.status == status, "\(name)")
            #expect(answer.text.contains(message), "\(name): \(answer.text)")
        }
        #expect(try WebhookReplayer.post("http://127.0.0.1:\(port)/other", body: valid, directory: f.dir.path).status == 404)
        #expect(try WebhookReplayer.post(url, body: [], method: "GET", directory: f.dir.path).status == 405)
        #expect(f.spoolBytes() == 0)
        let monitoring = try #require(await MonitoringClient.address(of: daemon))
        let metrics = try monitoring.scrape()
        #expect(metrics.value("tailship_webhook_requests_total", ["code": "400"]) == 4)
        #expect(metrics.value("tailship_webhook_requests_total", ["code": "413"]) == 2)
        #expect(metrics.value("tailship_webhook_events_total") == 0)
        #expect(daemon.stderr.contains("webhook request refused") && daemon.stderr.contains("items[0]: no auditID"))

        let ok = try WebhookReplayer.post(url, body: valid, directory: f.dir.path)
        #expect(ok.status == 200)
        #expect(await eventually(seconds: 15) { OutputReader.auditIDs(in: (try? OutputReader.contents(of: f.out)) ?? []).count == 3 })
        let lines = deliveredLines(in: f.out)
        // Written as the log backend writes an event: kind and apiVersion first, then the item's bytes as sent.
        #expect(lines == Self.items(ids: 0..<3).map { #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","# + $0.dropFirst() })
        await daemon.stopCleanly()
    }

    /// An EventList of events from the real log, with the replayer's auditIDs.
    static func eventList(ids: Range<Int>) -> [UInt8] {
        Array((#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":["# + items(ids: ids).joined(separator: ",") + "]}").utf8)
    }

    /// The events as list items (no kind or apiVersion), each as its JSON text.
    static func items(ids: Range<Int>) -> [String] {
        let text = (try? String(contentsOfFile: WebhookReplayer.realLog, encoding: .utf8)) ?? ""
        let events = text.split(separator: "\n").compactMap { line -> [String: Any]? in
            guard var e = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any], e["stage"] != nil else { return nil }
            e["kind"] = nil
            e["apiVersion"] = nil
            return e
        }
        return ids.map { i in
            var e = events[i % events.count]
            e["auditID"] = WebhookReplayer.auditID(i)
            return String(decoding: (try? JSONSerialization.data(withJSONObject: e, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        }
    }
}
