import Foundation
import TailshipShip
import Testing
import TailshipTestSupport

/// The `tailship schema clickhouse` DDL and the rows of the real logs, unchanged, on a current
/// ClickHouse release: chDB from PyPI (tools/test-receiver/chdb_check.py), beside the Debian
/// 18.16 server of ClickHouseOutputTests.
@Suite(.serialized) struct ClickHouseCurrentReleaseTests {
    @Test("the DDL and the real logs' rows work on a current ClickHouse; a re-sent batch folds with FINAL")
    func currentRelease() throws {
        let dir = TempDirectory()
        let (status, ddl, err) = try TailshipProcess.run(["schema", "clickhouse"], directory: dir.path)
        try #require(status == 0, "\(err)")
        try ddl.write(toFile: dir.file("ddl.sql"), atomically: true, encoding: .utf8)
        var body: [UInt8] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: TestFixtures.real.path).sorted()
        where name.hasSuffix(".log") || name.hasSuffix(".ndjson") {
            var data = Array(try Data(contentsOf: TestFixtures.real.appendingPathComponent(name)))
            if data.last != 0x0A { data.append(0x0A) }
            body += data
        }
        body += Array("not json\n[1,2]\n{}\n".utf8)
        let encoded = FormatEncoder(format: .clickhouse(ClickHouseOptions()), maxBodyBytes: 64 << 20).encode(body)
        let rows = encoded.chunks.flatMap(\.body)
        let lines = FormatEncoder.lineRanges(body).count
        #expect(FormatEncoder.lineRanges(rows).count == lines)
        try Data(rows).write(to: URL(fileURLWithPath: dir.file("rows.jsonl")))
        let (code, output) = try runCommand(["python3", "\(PyReceiver.toolsDirectory)/chdb_check.py", dir.file("ddl.sql"), dir.file("rows.jsonl")])
        try #require(code == 0, "\(output)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(output.split(separator: "\n").last.map { Data($0.utf8) } ?? Data())) as? [String: Any])
        print("clickhouse current release: \(result)")
        #expect((result["version"] as? String)?.hasPrefix("2") == true)
        // 914 real events, 912 distinct (auditID, stage), plus 3 lines that are not events: 915 keys.
        // Current releases fold equal keys within one insert already (optimize_on_insert), so
        // each of the two inserts adds 915 rows; FINAL folds the second insert into the first.
        #expect(lines == 917)
        #expect(result["raw"] as? Int == 2 * 915)
        #expect(result["final"] as? Int == 915 && result["unique"] as? Int == 915)
    }
}
