import Foundation
import TailshipShip
import TailshipTestSupport
import Testing

/// `format: clickhouse` rows, in process, against a reference built on Foundation's JSON parser.
@Suite struct ClickHouseFormatTests {
    static func realLines() throws -> [Data] {
        let dir = TestFixtures.real.path
        var lines: [Data] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where name.hasSuffix(".log") || name.hasSuffix(".ndjson") {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)"))
            lines += data.split(separator: 0x0A).map { Data($0) }
        }
        return lines
    }

    func rows(_ lines: [Data], options: ClickHouseOptions = ClickHouseOptions()) -> (rows: [[String: AnyHashable]], encoded: FormatEncoder.Encoded) {
        let body = Array(lines.map { $0 + Data([0x0A]) }.reduce(Data(), +))
        let encoded = FormatEncoder(format: .clickhouse(options), maxBodyBytes: 64 << 20).encode(body)
        let rows = encoded.chunks.flatMap { chunk in FormatEncoder.lineRanges(chunk.body).map { Array(chunk.body[$0]) } }.map {
            ClickHouseReference.normalize((try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) ?? [:])
        }
        return (rows, encoded)
    }

    @Test("every real event's row equals the reference, column by column")
    func realEventsMatchTheReference() throws {
        let lines = try Self.realLines()
        try #require(lines.count > 900)
        let (rows, encoded) = rows(lines)
        #expect(rows.count == lines.count)
        #expect(encoded.notObjects == 0)
        for (line, row) in zip(lines, rows) {
            let expected = try #require(ClickHouseReference.row(line))
            #expect(row == expected, "\(String(decoding: line.prefix(120), as: UTF8.self))")
        }
    }

    @Test("lines that are not audit events: stored with empty fields, dead-lettered, or dropped")
    func invalidLines() throws {
        let bad = ["not json", "[1,2]", "\"str\"", "{}", #"{"auditID":7}"#, "{\"a\":1"].map { Data($0.utf8) }
        let good = try Array(Self.realLines().prefix(3))
        let (stored, e1) = rows(good + bad)
        #expect(stored.count == 9 && e1.notObjects == 6)
        for (line, row) in zip(bad, stored.suffix(6)) {
            #expect(row["event"] == String(decoding: line, as: UTF8.self) as AnyHashable)
            #expect((row["auditID"] as? String)?.hasPrefix("tailship-invalid-") == true)
            #expect(row["stage"] == "" as AnyHashable && row["code"] == Int64(0) as AnyHashable && row["userGroups"] == [String]() as AnyHashable)
        }
        // Distinct lines get distinct keys, so ReplacingMergeTree keeps each.
        #expect(Set(stored.suffix(6).map { $0["auditID"] }).count == 6)

        let (kept, e2) = rows(good + bad, options: ClickHouseOptions(onInvalid: .deadLetter))
        #expect(kept.count == 3 && e2.invalid == [3, 4, 5, 6, 7, 8])
        let (dropped, e3) = rows(good + bad, options: ClickHouseOptions(onInvalid: .drop))
        #expect(dropped.count == 3 && e3.dropped == 6 && e3.invalid.isEmpty)
    }

    @Test("the INSERT goes in the query parameter, beside any already in the URL")
    func requestURL() {
        let o = ClickHouseOptions(database: "audit", table: "events")
        #expect(o.requestURL(base: "http://ch:8123") == "http://ch:8123/?query=INSERT%20INTO%20audit.events%20FORMAT%20JSONEachRow")
        #expect(o.requestURL(base: "https://ch:8443/?async_insert=1")
            == "https://ch:8443/?async_insert=1&query=INSERT%20INTO%20audit.events%20FORMAT%20JSONEachRow")
        #expect(ClickHouseOptions.isIdentifier("k8s_audit") && !ClickHouseOptions.isIdentifier("1x") && !ClickHouseOptions.isIdentifier("a-b"))
    }

    @Test("ClickHouse errors about the request are permanent whatever the status; others are retried")
    func errorAnswers() {
        let format = OutputFormat.clickhouse(ClickHouseOptions())
        let parse = Array("Code: 27, e.displayText() = DB::Exception: Cannot parse input".utf8)
        #expect(format.isPermanentFailure(status: 500, headers: [], body: parse))
        #expect(format.isPermanentFailure(status: 500, headers: [("X-ClickHouse-Exception-Code", "117")], body: []))
        #expect(!format.isPermanentFailure(status: 500, headers: [], body: Array("Code: 241, Memory limit exceeded".utf8)))
        #expect(!format.isPermanentFailure(status: 503, headers: [], body: Array("<html>bad gateway".utf8)))
        #expect(!OutputFormat.ndjson.isPermanentFailure(status: 500, headers: [], body: parse))
    }
}
