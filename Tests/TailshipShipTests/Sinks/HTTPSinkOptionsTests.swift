import Foundation
import Testing
@testable import TailshipShip

@Suite struct HTTPSinkOptionsTests {
    @Test func retryAfterReadsSecondsAndHTTPDates() {
        #expect(RetryAfter.seconds("2") == 2)
        #expect(RetryAfter.seconds(" 120 ") == 120)
        let now = 1_764_205_200.0 // Thu, 27 Nov 2025 01:00:00 GMT
        #expect(RetryAfter.seconds("Thu, 27 Nov 2025 01:00:30 GMT", now: now) == 30)
        #expect(RetryAfter.seconds("Thu, 27 Nov 2025 00:59:00 GMT", now: now) == 0)
        #expect(RetryAfter.seconds(nil) == nil)
        #expect(RetryAfter.seconds("soon") == nil)
        #expect(RetryAfter.seconds("-5") == nil)
    }

    @Test func statusesThatAreWorthRetrying() {
        for s in [408, 429, 500, 502, 503, 504] { #expect(HTTPSinkOptions.isRetryable(status: s), "\(s)") }
        for s in [400, 401, 403, 404, 409, 413, 422, 501] { #expect(!HTTPSinkOptions.isRetryable(status: s), "\(s)") }
    }

    @Test func backoffIsFullJitterUnderTheCeiling() {
        let o = HTTPSinkOptions(url: "http://x/", initialBackoff: 0.5, maxBackoff: 4)
        var seen: [Double] = []
        for attempt in 0..<12 {
            for _ in 0..<50 {
                let w = o.backoff(attempt: attempt)
                #expect(w >= 0 && w <= min(4, 0.5 * pow(2, Double(attempt))))
                seen.append(w)
            }
        }
        // Full jitter: waits near zero happen too.
        #expect(seen.contains { $0 < 0.1 })
    }

    @Test func passwordsAreRedactedFromURLs() {
        #expect(HTTPSinkOptions.redact("https://user:hunter2@logs.example.com/x") == "https://user:redacted@logs.example.com/x")
        #expect(HTTPSinkOptions.redact("https://logs.example.com/x") == "https://logs.example.com/x")
    }

    @Test func encoderSplitsByMaxBodyBytesAndReportsOversizeLines() {
        let lines = (0..<20).map { #"{"kind":"Event","auditID":"a\#($0)","n":\#($0),"pad":""# + String(repeating: "p", count: 80) + #""}"# }
        let big = #"{"kind":"Event","auditID":"big","big":""# + String(repeating: "b", count: 600) + #""}"#
        let body = Array((lines[..<10] + [big] + lines[10...]).map { $0 + "\n" }.joined().utf8)
        for format in [OutputFormat.ndjson, .jsonArray, .auditEventList, .elasticsearchBulk(index: "i"),
                       .splunkHEC(SplunkOptions(host: "h", index: nil)), .loki(labels: [LokiLabel(name: "job", value: "a")])] {
            let encoded = FormatEncoder(format: format, maxBodyBytes: 512).encode(body)
            #expect(encoded.oversize == [10], "\(format.name)")
            #expect(encoded.chunks.count > 2, "\(format.name)")
            #expect(encoded.chunks.allSatisfy { $0.body.count <= 512 }, "\(format.name)")
            #expect(encoded.chunks.flatMap(\.lines) == Array(0..<10) + Array(11...20), "\(format.name)")
            if format != .ndjson && format != .elasticsearchBulk(index: "i") && format != .splunkHEC(SplunkOptions(host: "h", index: nil)) {
                #expect(encoded.chunks.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.body))) != nil }, "\(format.name)")
            }
        }
    }
}
