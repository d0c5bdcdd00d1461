import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// kube-apiserver stopped while lumberjack compressed a backup: the complete plain
/// backup and a truncated `.gz` of it lie side by side. Nothing is missing, so
/// neither `backfill` nor `run` may report trouble or a loss.
@Suite(.serialized) struct HalfCompressedBackupTests {
    static let events = 14_000

    /// Real lumberjack (4 MiB files) SIGKILLed while its background gzip writes the
    /// first backup's `.gz`; tried again (a new directory) if the kill came too late.
    static func halfCompressed() throws -> (DaemonFixture, plain: String, gz: String) {
        for _ in 0..<8 {
            let f = DaemonFixture()
            let writer = try LumberjackWriter.start(path: f.log, events: events, maxSizeMiB: 4, backups: 5, compress: true)
            var found: (String, String)?
            let deadline = Date().addingTimeInterval(20)
            while found == nil, writer.isRunning, Date() < deadline {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: f.dir.path)) ?? []
                if let gz = names.first(where: { $0.hasSuffix(".log.gz") }), names.contains(String(gz.dropLast(3))),
                   let size = (try? FileManager.default.attributesOfItem(atPath: f.dir.file(gz)))?[.size] as? Int, size >= 4096 {
                    kill(writer.processIdentifier, SIGKILL)
                    found = (f.dir.file(String(gz.dropLast(3))), f.dir.file(gz))
                }
                usleep(300)
            }
            writer.waitUntilExit()
            guard let (plain, gz) = found, FileManager.default.fileExists(atPath: plain),
                  try runCommand(["gzip", "-t", gz]).0 != 0 else { continue }
            return (f, plain, gz)
        }
        struct NeverCaught: Error {}
        Issue.record("lumberjack finished every .gz before it could be killed")
        throw NeverCaught()
    }

    /// What the writer got to write before the kill: every event in the plain backup and the live file.
    static func written(_ f: DaemonFixture, plain: String) throws -> Set<String> {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: plain))) + Array(try Data(contentsOf: URL(fileURLWithPath: f.log)))
        return Set(OutputReader.auditIDs(in: bytes))
    }

    @Test func backfillExitsZeroAndNamesTheSkippedCopy() throws {
        let (f, plain, gz) = try Self.halfCompressed()
        let written = try Self.written(f, plain: plain)
        let (status, out, err) = try TailshipProcess.run(["backfill", "--config", f.config(output: f.fileOutput)], directory: f.dir.path)
        let delivered = OutputReader.auditIDs(in: (try? OutputReader.contents(of: f.out)) ?? [])
        let report = DeliveryReport(written: written.sorted(), delivered: delivered)
        print("half-compressed backup, backfill: \(report); exit \(status); \(out.split(separator: "\n").last ?? "")")
        #expect(status == 0, "\(out)\n\(err.suffix(2000))")
        #expect(report.missing.isEmpty && report.duplicated == 0, "\(report)")
        #expect(out.contains("skipped: \(gz) (incomplete .gz copy of"), "\(out)")
        #expect(!out.contains("not readable"), "\(out)")
    }

    @Test func runShipsItOnceWithoutALossReport() async throws {
        let (f, plain, _) = try Self.halfCompressed()
        let written = try Self.written(f, plain: plain)
        let config = f.config(output: f.fileOutput, extra: "monitoring: {listen: \"127.0.0.1:0\"}")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        let client = try #require(await MonitoringClient.address(of: daemon))
        let ids = { OutputReader.auditIDs(in: (try? OutputReader.contents(of: f.out)) ?? []) }
        #expect(await eventually(seconds: 30) { Set(ids()).isSuperset(of: written) })
        let lost = try client.scrape().value("tailship_files_lost_total")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
        let report = DeliveryReport(written: written.sorted(), delivered: ids())
        print("half-compressed backup, run: \(report); files lost \(lost ?? -1)")
        #expect(report.missing.isEmpty && report.duplicated == 0, "\(report)")
        #expect(lost == 0)
        #expect(!daemon.stderr.contains("lost"), "\(daemon.stderr.split(separator: "\n").filter { $0.contains("lost") }.prefix(3))")
    }
}
