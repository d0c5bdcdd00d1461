import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// Three outputs from one tail: the real ClickHouse server, an `audit-eventlist` receiver (as
/// Falco's webhook) that answers 503 for 60 s, and the file sink. The stall holds neither of the
/// others back, and afterwards each of the three holds every event exactly once.
@Suite(.serialized) struct FanOutStallTests {
    static let events = 60_000

    /// Every 500 ms while the writer runs: how far behind it (now minus the newest event held) ClickHouse and
    /// the file output are; near the stall's end, /readyz and /metrics.
    static func watch(_ s: ClickHouseOutputTests.Scene, archive: String, monitoring: MonitoringClient, writer: Process,
                      until end: Date) async throws
        -> (delays: (siem: [Double], archive: [Double]), ready: (status: Int, body: String), metrics: [MonitoringClient.Sample]) {
        var delays: (siem: [Double], archive: [Double]) = ([], [])
        var ready: (status: Int, body: String) = (0, "")
        var metrics: [MonitoringClient.Sample] = []
        while Date() < end {
            try await Task.sleep(for: .milliseconds(500))
            let now = Date().timeIntervalSince1970
            if writer.isRunning {
                if let m = Int64((try? s.server.query("SELECT max(stageTime) FROM \(s.table)")) ?? ""), m > 0 {
                    delays.siem.append(now - Double(m) / 1e6)
                }
                if let m = lastStageMicros(in: archive) { delays.archive.append(now - Double(m) / 1e6) }
            }
            if end.timeIntervalSinceNow < 5 && metrics.isEmpty {
                ready = monitoring.get("/readyz")
                metrics = (try? monitoring.scrape()) ?? []
            }
        }
        return (delays, ready, metrics)
    }

    @Test func aStalledOutputHoldsNoOtherBackAndAllThreeGetEveryEventOnce() async throws {
        let s = try ClickHouseOutputTests.Scene(), f = s.f
        let stall = f.dir.file("falco-down")
        _ = FileManager.default.createFile(atPath: stall, contents: nil)
        let falco = try PyReceiver(directory: f.dir.path, failWhile: stall)
        let archive = f.dir.file("archive")
        let retry = "timeout: 2s, retry: {initial_backoff: 50ms, max_backoff: 500ms}"
        let config = f.config(outputs: """
              - name: siem
                http: {url: "\(s.server.url)", format: clickhouse, clickhouse: {table: \(s.table)}, \(retry), \
            auth: {basic: {username: \(s.server.user), password_file: "\(f.dir.file("ch-password"))"}}}
              - name: falco
                compression: none
                http: {url: "\(falco.url())", format: audit-eventlist, \(retry)}
              - name: archive
                file: {directory: "\(archive)", max_file_bytes: 1MiB}
            """, extra: "monitoring: {listen: \"127.0.0.1:0\", ready_max_failure_age: 2s}")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let monitoring = try #require(await MonitoringClient.address(of: daemon))
        // 60,000 events in about 50 s through kube-apiserver's rotation library: 1 MiB files, 5 backups, gzip.
        let writer = try LumberjackWriter.start(path: f.log, events: Self.events, rate: 1200, maxSizeMiB: 1, backups: 5, compress: true)
        let seen = try await Self.watch(s, archive: archive, monitoring: monitoring, writer: writer, until: Date().addingTimeInterval(60))
        let (delays, readyDuringStall, metricsDuringStall) = (seen.delays, seen.ready, seen.metrics)
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        let falcoDuringStall = eventListIDs(falco).count
        try FileManager.default.removeItem(atPath: stall)
        let siemMax = delays.siem.max() ?? .infinity, archiveMax = delays.archive.max() ?? .infinity
        print("fan-out stall: samples siem \(delays.siem.count) archive \(delays.archive.count); most behind the writer: siem \(siemMax) s, archive \(archiveMax) s; falco accepted \(falcoDuringStall) during the stall")
        #expect(delays.siem.count >= 30 && delays.archive.count >= 30)
        #expect(siemMax <= 2 && archiveMax <= 2)
        #expect(falcoDuringStall == 0)
        #expect(readyDuringStall.status == 503 && readyDuringStall.body.contains("output \"falco\""), "\(readyDuringStall)")
        #expect(metricsDuringStall.value("tailship_events_shipped_total", ["output": "falco"]) == 0)
        #expect((metricsDuringStall.value("tailship_events_shipped_total", ["output": "siem"]) ?? 0) > 30_000)
        #expect((metricsDuringStall.value("tailship_batches_total", ["output": "falco", "outcome": "retry"]) ?? 0) > 10)

        let written = LumberjackWriter.ids(0..<Self.events)
        #expect(await eventually(seconds: 120) {
            eventListIDs(falco).count >= Self.events && s.counts().final >= Self.events
                && OutputReader.auditIDs(in: (try? OutputReader.contents(of: archive)) ?? []).count >= Self.events
        })
        // Let go during the stall, read on its own to catch up, then fed by the shared reader again.
        #expect(await eventually(seconds: 30) {
            ((try? monitoring.scrape())?.value("tailship_shared_reader", ["output": "falco"]) ?? 0) == 1
        })
        await daemon.stopCleanly()
        let reports = [("falco", DeliveryReport(written: written, delivered: eventListIDs(falco))),
                       ("archive", DeliveryReport(written: written, delivered: OutputReader.auditIDs(in: try OutputReader.contents(of: archive))))]
        for (name, report) in reports {
            print("fan-out \(name): \(report)")
            #expect(report.missing.isEmpty && report.duplicated == 0, "\(name): \(report)")
        }
        let counts = s.counts()
        print("fan-out siem (ClickHouse): rows after FINAL \(counts.final), uniqExact(auditID, stage) \(counts.unique), rows before FINAL \(counts.raw)")
        #expect(counts.final == Self.events && counts.unique == Self.events)
        #expect(try s.auditIDs() == Set(written))
    }
}
