import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// The outage the issue measured, with real lumberjack: 1 MiB files, 2 gzipped
/// backups kept, 60,000 events at 1,000/s while the receiver answers 503 for
/// the first 60 s. Lumberjack deletes backups long before the output is back;
/// pins keep them. Without pins, every file lost must be counted.
@Suite(.serialized) struct PinnedBackupsTests {
    static let total = 60_000
    /// Lumberjack's events are at least 600 bytes: no 1 MiB file holds more.
    static let mostEventsPerFile = (1 << 20) / 600 + 1

    struct Outcome {
        var report: DeliveryReport
        /// `tailship_files_lost_total`, summed over every process run.
        var filesLost: Double
        var pinnedAtEnd: Double?
    }

    /// Runs the outage; `kills` SIGKILLs spread over it, each followed by a restart.
    func outage(pins: Bool, kills: Int) async throws -> Outcome {
        let f = DaemonFixture()
        let outageEnds = Date().addingTimeInterval(62)
        let receiver = try await TestReceiver(keepsRefusedBodies: false) { _ in
            Date() < outageEnds ? (503, "{\"error\":\"unavailable\"}") : (200, "{}")
        }
        let config = f.config(output: f.httpOutput(receiver.url), batch: "{max_events: 500, max_wait: 100ms}",
                              extra: "monitoring: {listen: \"127.0.0.1:0\"}\npins: {enabled: \(pins)}")
        var daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "run0")
        var client = try #require(await MonitoringClient.address(of: daemon))
        let writer = try LumberjackWriter.start(path: f.log, events: Self.total, rate: 1000, maxSizeMiB: 1, backups: 2, compress: true)
        var lost = 0.0
        for k in 0..<kills {
            // Evenly through the outage: at 15, 30 and 45 s for three.
            try await Task.sleep(for: .seconds(60.0 / Double(kills + 1)))
            lost += (try? client.scrape().value("tailship_files_lost_total")) ?? 0
            daemon.signal(SIGKILL)
            _ = await daemon.waitForExit(seconds: 5)
            daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "run\(k + 1)")
            client = try #require(await MonitoringClient.address(of: daemon))
        }
        writer.waitUntilExit()
        let written = LumberjackWriter.ids(0..<Self.total)
        // Until everything arrived, or (nothing more arriving) delivery stopped after the outage.
        var last = -1, still = 0
        while Date() < outageEnds.addingTimeInterval(120) {
            let count = Set(OutputReader.auditIDs(in: receiver.acceptedBytes)).count
            if count >= Self.total { break }
            still = count == last && Date() > outageEnds.addingTimeInterval(5) ? still + 1 : 0
            if still >= 8 { break }
            last = count
            try await Task.sleep(for: .seconds(1))
        }
        let report = DeliveryReport(written: written, delivered: OutputReader.auditIDs(in: receiver.acceptedBytes))
        var pinned: Double?
        if pins { _ = await eventually(seconds: 20) { pinned = try? client.scrape().value("tailship_pinned_files"); return pinned == 0 } }
        lost += (try? client.scrape().value("tailship_files_lost_total")) ?? 0
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 20) == 0)
        await receiver.stop()
        return Outcome(report: report, filesLost: lost, pinnedAtEnd: pinned)
    }

    func expectNothingLost(_ o: Outcome, _ name: String) {
        print("\(name): \(o.report), files lost \(Int(o.filesLost)), pinned at the end \(o.pinnedAtEnd.map { "\(Int($0))" } ?? "?")")
        #expect(o.report.missing.isEmpty, "\(o.report)")
        #expect(o.filesLost == 0)
        #expect(o.pinnedAtEnd == 0, "pins of shipped files are released")
    }

    /// Each lost file held at most `mostEventsPerFile` of the missing events.
    func expectLossesCounted(_ o: Outcome, _ name: String) {
        let atLeast = (o.report.missing.count + Self.mostEventsPerFile - 1) / Self.mostEventsPerFile
        print("\(name): \(o.report), files lost \(Int(o.filesLost)) (at least \(atLeast) files held the missing events)")
        #expect(!o.report.missing.isEmpty, "the outage did not outlast the rotation window")
        #expect(Int(o.filesLost) >= atLeast, "\(o.report), files lost counted \(o.filesLost)")
    }

    @Test func pinnedRunningThroughout() async throws {
        expectNothingLost(try await outage(pins: true, kills: 0), "pins on, running throughout")
    }

    @Test func pinnedKilledThreeTimes() async throws {
        expectNothingLost(try await outage(pins: true, kills: 3), "pins on, SIGKILL three times")
    }

    @Test func unpinnedRunningThroughoutCountsLostFiles() async throws {
        expectLossesCounted(try await outage(pins: false, kills: 0), "pins off, running throughout")
    }

    @Test func unpinnedKilledThreeTimesCountsLostFiles() async throws {
        expectLossesCounted(try await outage(pins: false, kills: 3), "pins off, SIGKILL three times")
    }
}

/// `tailship_backlog_bytes` against the truth measured outside Tailship: bytes the
/// writer wrote minus bytes the receiver accepted, across rotations and gzip.
@Suite(.serialized) struct BacklogMetricTests {
    @Test func backlogIsWrittenMinusAcknowledgedWithinFivePercent() async throws {
        let f = DaemonFixture()
        // The first 10 requests are accepted, then the output is down for good.
        let receiver = try await TestReceiver(keepsRefusedBodies: false) { n in n < 10 ? (200, "{}") : (503, "{}") }
        let config = f.config(output: f.httpOutput(receiver.url), batch: "{max_events: 200, max_wait: 50ms}",
                              extra: "monitoring: {listen: \"127.0.0.1:0\"}")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        let client = try #require(await MonitoringClient.address(of: daemon))
        let out = f.dir.file("writer.out")
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let writer = try LumberjackWriter.start(path: f.log, events: 12_000, rate: 4000, maxSizeMiB: 1, backups: 2, compress: true,
                                                output: FileHandle(forWritingAtPath: out))
        writer.waitUntilExit()
        let text = String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self)
        let written = try #require(text.split(separator: " ").firstIndex(of: "events,").map { Int(text.split(separator: " ")[$0 + 1])! })
        // Settled: two scrapes 2 s apart agree.
        var backlog = -1.0
        _ = await eventually(seconds: 30) {
            let now = (try? client.scrape().value("tailship_backlog_bytes")) ?? -2
            defer { backlog = now }
            usleep(2_000_000)
            return now == backlog
        }
        let acknowledged = receiver.acceptedBytes.count
        let truth = Double(written - acknowledged)
        let metrics = try client.scrape()
        let oldest = metrics.value("tailship_backlog_oldest_seconds") ?? -1
        let gz = try FileManager.default.contentsOfDirectory(atPath: f.dir.path).filter { $0.hasSuffix(".gz") }.count
        print(String(format: "backlog metric %.0f bytes, true backlog %.0f (written %d, acknowledged %d): %.2f%%; oldest %.1f s; pinned %.0f files; .gz backups %d",
                     backlog, truth, written, acknowledged, (backlog - truth) / truth * 100, oldest,
                     metrics.value("tailship_pinned_files") ?? -1, gz))
        #expect(acknowledged > 0 && gz > 0)
        #expect(abs(backlog - truth) <= 0.05 * truth)
        #expect(oldest > 0)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 20) == 0)
        await receiver.stop()
    }
}

/// A pin directory that cannot be made: one clear line, pinning off, shipping goes on.
@Suite struct PinDirectoryRefusedTests {
    @Test func aPinDirectoryThatCannotBeMadeTurnsPinningOffWithOneLine() async throws {
        let f = DaemonFixture()
        appendText("{\"kind\":\"Event\",\"auditID\":\"a\"}\n", to: f.log)
        // A directory cannot be made under a regular file.
        let blocker = f.dir.file("not-a-directory")
        _ = FileManager.default.createFile(atPath: blocker, contents: Data())
        let config = f.config(output: f.fileOutput, extra: "monitoring: {listen: \"127.0.0.1:0\"}\npins: {directory: \"\(blocker)/pins\"}")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        let client = try #require(await MonitoringClient.address(of: daemon))
        #expect(await eventually(seconds: 10) { f.delivered() == ["{\"kind\":\"Event\",\"auditID\":\"a\"}"] })
        #expect(await eventually(seconds: 5) { (try? client.scrape().value("tailship_pins_enabled")) == 0 })
        let lines = daemon.stderr.split(separator: "\n").filter { $0.contains("pinning is off") }
        #expect(lines.count == 1 && lines.first?.contains("cannot create the pin directory") == true, "\(lines)")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
    }
}
