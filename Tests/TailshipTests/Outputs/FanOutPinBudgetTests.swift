import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// pins.max_bytes run out by one stalled output: its oldest pins go, counted as lost for it alone;
/// the other output, which had shipped them, keeps every event.
@Suite(.serialized) struct FanOutPinBudgetTests {
    @Test func thePinBudgetRunsOutForTheStalledOutputAlone() async throws {
        let f = DaemonFixture()
        let stall = f.dir.file("slow-down")
        _ = FileManager.default.createFile(atPath: stall, contents: nil)
        let slow = try PyReceiver(directory: f.dir.path, failWhile: stall)
        let archive = f.dir.file("archive")
        let config = f.config(outputs: """
              - name: slow
                http: {url: "\(slow.url())", timeout: 2s, retry: {initial_backoff: 50ms, max_backoff: 500ms}}
              - name: archive
                file: {directory: "\(archive)"}
            """, extra: "pins: {max_bytes: 3MiB}\nmonitoring: {listen: \"127.0.0.1:0\"}")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let monitoring = try #require(await MonitoringClient.address(of: daemon))
        // About 9 MiB through lumberjack: 1 MiB files, 5 compressed backups kept, older ones deleted.
        try LumberjackWriter.run(path: f.log, events: 12_000)
        let archived = { OutputReader.auditIDs(in: (try? OutputReader.contents(of: archive)) ?? []) }
        #expect(await eventually(seconds: 60) { archived().count >= 12_000 })
        #expect(await eventually(seconds: 30) {
            ((try? monitoring.scrape())?.value("tailship_files_lost_total", ["output": "slow"]) ?? 0) >= 1
        })
        let metrics = try monitoring.scrape()
        let lostSlow = metrics.value("tailship_files_lost_total", ["output": "slow"]) ?? -1
        let lostArchive = metrics.value("tailship_files_lost_total", ["output": "archive"]) ?? -1
        print("fan-out pin budget: files lost to slow \(lostSlow), to archive \(lostArchive); pinned bytes \(metrics.value("tailship_pinned_bytes") ?? -1)")
        #expect(lostArchive == 0)
        #expect((metrics.value("tailship_pinned_bytes") ?? .infinity) <= 3 * 1_048_576)
        #expect(daemon.stderr.contains("lost to these outputs") && daemon.stderr.contains("outputs=slow"))
        try FileManager.default.removeItem(atPath: stall)
        await daemon.stopCleanly()
        let report = DeliveryReport(written: LumberjackWriter.ids(0..<12_000), delivered: archived())
        print("fan-out pin budget, archive: \(report)")
        #expect(report.missing.isEmpty && report.duplicated == 0)
    }
}
