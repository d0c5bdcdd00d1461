import Foundation
import Tailship
import TailshipShip
import Testing
import TailshipTestSupport

/// `format: clickhouse` against Debian's real `clickhouse-server`, checked by SQL through
/// `clickhouse-client`; the table is made by `tailship schema clickhouse` as a user would.
@Suite(.serialized) struct ClickHouseOutputTests {
    struct Scene {
        let f = DaemonFixture()
        let server: ClickHouseServer
        let table: String

        init(table: String = "k8s_audit", create: Bool = true) throws {
            server = try ClickHouseServer(directory: f.dir.file("clickhouse"))
            self.table = table
            try server.password.write(toFile: f.dir.file("ch-password"), atomically: true, encoding: .utf8)
            if create {
                let (status, ddl, _) = try TailshipProcess.run(["schema", "clickhouse", "--table", table], directory: f.dir.path)
                try #require(status == 0)
                try server.query(ddl)
            }
        }

        func config(paths: [String]? = nil, table: String? = nil, batch: String = "{max_events: 500, max_wait: 100ms}") -> String {
            let output = f.httpOutput(server.url, extra: """
                format: clickhouse, clickhouse: {table: \(table ?? self.table)}, \
                auth: {basic: {username: \(server.user), password_file: "\(f.dir.file("ch-password"))"}}
                """)
            return f.config(paths: paths, output: output, batch: batch)
        }

        func start(_ config: String, name: String = "tailship") async throws -> TailshipProcess {
            let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: name)
            #expect(await daemon.ready())
            return daemon
        }

        /// (count(), uniqExact(auditID, stage)) after FINAL, and count() before it.
        func counts() -> (final: Int, unique: Int, raw: Int) {
            let final = (try? server.query("SELECT count(), uniqExact(auditID, stage) FROM \(table) FINAL"))?.split(separator: "\t").compactMap { Int($0) } ?? []
            let raw = Int((try? server.query("SELECT count() FROM \(table)")) ?? "") ?? -1
            return (final.first ?? -1, final.last ?? -1, raw)
        }

        func auditIDs() throws -> Set<String> {
            Set(try server.query("SELECT auditID FROM \(table) FINAL").split(separator: "\n").map(String.init))
        }
    }

    /// Distinct events with the real logs' shapes and fresh auditIDs.
    static func events(_ range: Range<Int>) -> [String] {
        var generator = AuditEventGenerator(seed: UInt64(range.lowerBound) + 17)
        let start = Date(timeIntervalSince1970: 1_764_000_000)
        return range.map { generator.event(at: start.addingTimeInterval(Double($0) / 100)) }
    }

    static func ids(_ lines: [String]) -> Set<String> {
        Set(lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["auditID"] as? String })
    }

    @Test("every (auditID, stage) of the real logs arrives, each row as the reference says, and non-events are kept")
    func realLogsArriveAsRows() async throws {
        let s = try Scene()
        let (expected, _, _) = try RealLogsTests.stage(into: s.f.dir)
        let junk = ["not json", "[1,2]", "{}"]
        appendText(junk.map { $0 + "\n" }.joined(), to: s.f.dir.file("in/zz-junk.log"))
        let lines = Data(expected).split(separator: 0x0A).map { Data($0) }
        var reference: [String: [String: AnyHashable]] = [:]
        for line in lines {
            if let row = ClickHouseReference.row(line) { reference["\(row["auditID"]!)/\(row["stage"]!)"] = row }
        }
        let daemon = try await s.start(s.config(paths: [s.f.dir.file("in/*")]))
        let want = reference.count + junk.count
        #expect(await eventually(seconds: 60) { s.counts().final >= want })
        let counts = s.counts()
        print("clickhouse real logs: lines \(lines.count + junk.count), distinct (auditID, stage) \(reference.count), rows after FINAL \(counts.final), uniqExact \(counts.unique), rows before FINAL \(counts.raw)")
        #expect(counts.final == want && counts.unique == want)
        var compared = 0
        for row in try s.server.rows("SELECT * FROM \(s.table) FINAL WHERE auditID NOT LIKE 'tailship-invalid-%'") {
            let got = ClickHouseReference.normalize(row)
            let key = "\(got["auditID"] ?? "" as AnyHashable)/\(got["stage"] ?? "" as AnyHashable)"
            #expect(got == reference[key], "row \(key)")
            compared += 1
        }
        #expect(compared == reference.count)
        let kept = try s.server.query("SELECT event FROM \(s.table) FINAL WHERE auditID LIKE 'tailship-invalid-%' ORDER BY event")
        #expect(kept.split(separator: "\n").map(String.init) == junk.sorted())
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
    }

    @Test("SIGKILL and restart mid-stream: none missing, none duplicated after FINAL")
    func sigkillMidStream() async throws {
        let s = try Scene()
        let config = s.config(batch: "{max_events: 200, max_wait: 50ms}")
        let first = Self.events(0..<20_000)
        appendText(first.map { $0 + "\n" }.joined(), to: s.f.log)
        let daemon = try await s.start(config, name: "first")
        #expect(await eventually(seconds: 60) { s.counts().raw >= 2_000 })
        daemon.signal(SIGKILL)
        _ = await daemon.waitForExit(seconds: 10)
        let atKill = s.counts().raw
        let second = Self.events(20_000..<30_000)
        appendText(second.map { $0 + "\n" }.joined(), to: s.f.log)
        let again = try await s.start(config, name: "second")
        #expect(await eventually(seconds: 120) { s.counts().final >= 30_000 })
        let counts = s.counts()
        print("clickhouse sigkill: written 30000, rows at the kill \(atKill), rows before FINAL \(counts.raw), after FINAL \(counts.final), uniqExact \(counts.unique)")
        #expect(atKill < 30_000, "the kill came after everything was shipped")
        #expect(counts.final == 30_000 && counts.unique == 30_000)
        #expect(try s.auditIDs() == Self.ids(first + second))
        again.signal(SIGTERM)
        #expect(await again.waitForExit(seconds: 15) == 0)
    }

    @Test("a server stopped for 20 s and started again gets everything")
    func serverOutage() async throws {
        let s = try Scene()
        let daemon = try await s.start(s.config())
        let before = Self.events(0..<5_000)
        appendText(before.map { $0 + "\n" }.joined(), to: s.f.log)
        #expect(await eventually(seconds: 60) { s.counts().final >= 5_000 })
        s.server.stop()
        let during = Self.events(5_000..<10_000)
        appendText(during.map { $0 + "\n" }.joined(), to: s.f.log)
        // The outage itself: the server is down this long whatever Tailship does.
        try await Task.sleep(for: .seconds(20))
        #expect(daemon.process.isRunning)
        try s.server.start()
        #expect(await eventually(seconds: 60) { s.counts().final >= 10_000 })
        let counts = s.counts()
        print("clickhouse outage: written 10000, after FINAL \(counts.final), uniqExact \(counts.unique), before FINAL \(counts.raw)")
        #expect(counts.final == 10_000 && counts.unique == 10_000)
        #expect(try s.auditIDs() == Self.ids(before + during))
        #expect(daemon.stderr.contains("send failed; will retry"))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
    }

    @Test("a table that does not exist: the batch goes to dead letters with ClickHouse's message, and shipping goes on")
    func missingTableIsADeadLetter() async throws {
        let s = try Scene()
        let daemon = try await s.start(s.config(table: "no_such_table"))
        let lines = Self.events(0..<50)
        appendText(lines.map { $0 + "\n" }.joined(), to: s.f.log)
        let dir = s.f.deadLetter
        #expect(await eventually(seconds: 30) { ((try? readDeadLetters(dir).lines.count) ?? 0) >= lines.count })
        let (stored, meta) = try readDeadLetters(dir)
        #expect(meta.contains("no_such_table") && meta.contains("Code: 60"), "\(meta.prefix(600))")
        // The events themselves are kept beside it, and the offset moved on.
        #expect(Set(stored) == Set(lines))
        #expect(await eventually(seconds: 10) { (try? String(contentsOfFile: s.f.registry, encoding: .utf8))?.contains("\"offset\"") == true })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
    }
}
