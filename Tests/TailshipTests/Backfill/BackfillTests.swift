import TailshipBasics
import Foundation
import Tailship
import TailshipShip
import TailshipTail
import Testing
import TailshipTestSupport

/// Five lumberjack-named backups (three gzipped) and a live file; backup i holds
/// the events received during hour 10+i of 2026-11-26 and is named for the end of it.
struct BackfillFixture {
    let f = DaemonFixture()
    static let perFile = 1000
    var ids: [String] = []
    var backups: [String] = []
    /// Byte offset in backup 3 after its first 500 lines (what the registry says was delivered).
    var halfOffset: UInt64 = 0

    init() throws {
        for i in 0..<6 {
            var text = ""
            var half = 0
            for k in 0..<Self.perFile {
                let id = String(format: "bf-%05d", i * Self.perFile + k)
                ids.append(id)
                let ts = String(format: "2026-11-26T%02d:%02d:%02d.%06dZ", 10 + i, k * 60 / Self.perFile, k % 60, k)
                text += "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"\(id)\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"requestReceivedTimestamp\":\"\(ts)\",\"stageTimestamp\":\"\(ts)\"}\n"
                if k == 499 { half = text.utf8.count }
            }
            if i == 5 {
                appendText(text, to: f.log)
                continue
            }
            let name = f.dir.file(String(format: "k8s_audit-2026-11-26T%02d-00-00.000.log", 11 + i))
            if i < 3 {
                try Data(try Gzip.compress(Array(text.utf8), level: 1)).write(to: URL(fileURLWithPath: name + ".gz"))
                backups.append(name + ".gz")
            } else {
                try Data(text.utf8).write(to: URL(fileURLWithPath: name))
                backups.append(name)
                if i == 3 { halfOffset = UInt64(half) }
            }
        }
        // The registry, in version 1 (as Tailship wrote it before outputs had names), says backup 3 was half delivered.
        let path = backups[3]
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        let entry = RegistryEntry(identity: FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)),
                                  fingerprint: Fingerprint.read(fd: fd)!, path: path, offset: halfOffset, lastSeen: Date().timeIntervalSince1970)
        try FileManager.default.createDirectory(atPath: (f.registry as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try RegistryStore.encode(RegistryDocument(createdAt: Date().timeIntervalSince1970, entries: [entry]))
            .write(to: URL(fileURLWithPath: f.registry))
    }

    /// Everything but the half of backup 3 already delivered.
    var expected: [String] { ids.filter { !(3000..<3500).contains(Int($0.dropFirst(3))!) } }

    func delivered() -> [String] { OutputReader.auditIDs(in: (try? OutputReader.contents(of: f.out)) ?? []) }
}

@Suite(.serialized) struct BackfillTests {
    @Test func shipsEveryEventOnceOldestFirstThenDaemonShipsOnlyNewLines() async throws {
        let b = try BackfillFixture()
        let config = b.f.config(output: b.f.fileOutput)
        let (status, out, err) = try TailshipProcess.run(["backfill", "--config", config], directory: b.f.dir.path)
        #expect(status == 0, "\(err)")
        #expect(out.contains("backfill complete"))
        #expect(b.delivered() == b.expected)

        appendText("{\"kind\":\"Event\",\"auditID\":\"new-1\"}\n{\"kind\":\"Event\",\"auditID\":\"new-2\"}\n", to: b.f.log)
        let daemon = try TailshipProcess(["run", "--config", config], directory: b.f.dir.path)
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 10) { b.delivered().count == b.expected.count + 2 })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)
        #expect(b.delivered() == b.expected + ["new-1", "new-2"])
    }

    @Test func interruptedThenRerunMissesNothing() async throws {
        let b = try BackfillFixture()
        // 100 events a request, 60 ms each: the 55 requests take at least 3.3 s.
        let receiver = try await TestReceiver { _ in
            usleep(60_000)
            return (200, "{}")
        }
        let config = b.f.config(output: b.f.httpOutput(receiver.url), batch: "{max_events: 100, max_wait: 50ms}")
        let first = try TailshipProcess(["backfill", "--config", config], directory: b.f.dir.path, name: "first")
        #expect(await eventually(seconds: 20) { receiver.requests.count >= 5 })
        first.signal(SIGINT)
        #expect(await first.waitForExit(seconds: 15) == 130)
        #expect(first.stdout.contains("backfill interrupted"))
        let before = OutputReader.auditIDs(in: receiver.acceptedBytes).count
        #expect(before < b.expected.count, "interrupted too late")

        let (status, _, err) = try TailshipProcess.run(["backfill", "--config", config], directory: b.f.dir.path)
        #expect(status == 0, "\(err)")
        let report = DeliveryReport(written: b.expected, delivered: OutputReader.auditIDs(in: receiver.acceptedBytes))
        print("backfill interrupted and rerun: \(report)")
        #expect(report.missing.isEmpty, "\(report)")
        // At most what was in flight when interrupted: open batch, 4 queued, 1 being sent.
        #expect(report.duplicated <= 6 * 100, "\(report)")
        await receiver.stop()
    }

    @Test func sinceAndUntilSelectFilesByNameAndEventsByTime() async throws {
        let b = try BackfillFixture()
        let config = b.f.config(output: b.f.fileOutput)
        let args = ["backfill", "--config", config, "--since", "2026-11-26T12:30:00Z", "--until", "2026-11-26T13:30:00+00:00"]
        let (planStatus, plan, _) = try TailshipProcess.run(args + ["--dry-run"], directory: b.f.dir.path)
        #expect(planStatus == 0)
        let skippedByName = plan.split(separator: "\n").filter { $0.contains("outside --since/--until") }
        // Hours 10 and 11 end before 12:30; hour 14 and the live file start after 13:30.
        #expect(skippedByName.count == 4, "\(plan)")

        let (status, _, err) = try TailshipProcess.run(args, directory: b.f.dir.path)
        #expect(status == 0, "\(err)")
        // Events of 12:30..12:59 (file 2) and 13:00..13:30 (file 3, its first half was delivered before).
        let want = b.ids.filter { id in
            let n = Int(id.dropFirst(3))!
            let minute = (n % BackfillFixture.perFile) * 60 / BackfillFixture.perFile
            return (n / 1000 == 2 && minute >= 30) || (n / 1000 == 3 && n % 1000 >= 500 && (minute < 30 || (minute == 30 && n % 60 == 0)))
        }
        let got = b.delivered()
        #expect(!got.isEmpty)
        #expect(got.allSatisfy { Set(want).contains($0) }, "delivered an event outside the range")
        #expect(Set(got) == Set(want.filter { Int($0.dropFirst(3))! / 1000 == 2 || (Int($0.dropFirst(3))! % 1000) * 60 / 1000 < 30 }))
    }

    @Test func dryRunPrintsThePlanAndSendsNothing() throws {
        let b = try BackfillFixture()
        let config = b.f.config(output: b.f.fileOutput)
        let (status, out, _) = try TailshipProcess.run(["backfill", "--config", config, "--dry-run"], directory: b.f.dir.path)
        #expect(status == 0)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 7)
        #expect(lines[0].hasPrefix(b.backups[0]) && lines[0].contains("gzip") && lines[0].contains("delivered=0"))
        #expect(lines[3].hasPrefix(b.backups[3]) && lines[3].contains("plain") && lines[3].contains("delivered=\(b.halfOffset)"))
        #expect(lines[5].hasPrefix(b.f.log))
        #expect(lines[6].hasPrefix("total: 6 files to read"))
        #expect(!FileManager.default.fileExists(atPath: b.f.out))
    }

    @Test func exitStatusTwoWhenSomethingWasDeadLettered() async throws {
        let b = try BackfillFixture()
        let receiver = try await TestReceiver { n in n == 1 ? (400, "{\"error\":\"rejected\"}") : (200, "{}") }
        let config = b.f.config(output: b.f.httpOutput(receiver.url))
        let (status, out, _) = try TailshipProcess.run(["backfill", "--config", config], directory: b.f.dir.path)
        #expect(status == 2)
        #expect(out.contains("500 events dead-lettered"))
        await receiver.stop()
    }

    /// An output that keeps answering 503: reading ends, the drain never would.
    static func failingReceiver() async throws -> TestReceiver {
        try await TestReceiver { _ in (503, "{\"error\":\"unavailable\"}") }
    }

    @Test func interruptDuringAnEndlessDrainStopsWithinShutdownTimeout() async throws {
        let b = try BackfillFixture()
        let receiver = try await Self.failingReceiver()
        // Batches large enough for everything to be read and queued: the reader finishes,
        // the drain (no deadline of its own) would go on for ever.
        let config = b.f.config(output: b.f.httpOutput(receiver.url), batch: "{max_events: 5000, max_wait: 100ms}", shutdown: "2s")
        let run = try TailshipProcess(["backfill", "--config", config], directory: b.f.dir.path)
        #expect(await eventually(seconds: 20) { run.stderr.contains("every file read to its end") })
        #expect(await eventually(seconds: 10) { receiver.requests.count >= 3 })
        let (status, took) = await run.exitAfter(SIGINT)
        print(String(format: "backfill interrupted while draining: exit %d after %.2f s (shutdown_timeout 2s)", status ?? -1, took))
        #expect(status == 130)
        #expect(took < 4, "took \(took) s")
        #expect(run.stdout.contains("backfill interrupted"))
        await receiver.stop()
    }

    @Test func secondInterruptStopsAtOnce() async throws {
        let b = try BackfillFixture()
        let receiver = try await Self.failingReceiver()
        let config = b.f.config(output: b.f.httpOutput(receiver.url), shutdown: "60s")
        let run = try TailshipProcess(["backfill", "--config", config], directory: b.f.dir.path)
        #expect(await eventually(seconds: 20) { receiver.requests.count >= 3 })
        run.signal(SIGINT)
        try await Task.sleep(for: .milliseconds(300))
        let (status, took) = await run.exitAfter(SIGINT)
        print(String(format: "backfill second interrupt: exit %d after %.2f s", status ?? -1, took))
        #expect(status == 130)
        #expect(took < 3, "took \(took) s")
        await receiver.stop()
    }

    @Test func timeoutBoundsTheWholeRun() async throws {
        let b = try BackfillFixture()
        let receiver = try await Self.failingReceiver()
        let config = b.f.config(output: b.f.httpOutput(receiver.url), shutdown: "60s")
        let started = Date()
        let (status, out, err) = try TailshipProcess.run(["backfill", "--config", config, "--timeout", "3s"], directory: b.f.dir.path)
        let took = Date().timeIntervalSince(started)
        print(String(format: "backfill --timeout 3s: exit %d after %.2f s", status, took))
        #expect(status == 124, "\(err.suffix(2000))")
        #expect(took < 8)
        #expect(out.contains("backfill timed out") && out.contains("--timeout reached"))
        await receiver.stop()
    }

    @Test func exitStatusThreeWhenAGzipIsCorrupt() async throws {
        let b = try BackfillFixture()
        // Backup 1 loses its second half: not a whole gzip stream.
        let corrupt = b.backups[1]
        let bytes = try Data(contentsOf: URL(fileURLWithPath: corrupt))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: corrupt))
        let config = b.f.config(output: b.f.fileOutput)
        let (status, out, _) = try TailshipProcess.run(["backfill", "--config", config], directory: b.f.dir.path)
        #expect(status == 3)
        #expect(out.contains("not readable: \(corrupt)"), "\(out)")
        // Everything else arrived.
        #expect(Set(b.delivered()) == Set(b.expected.filter { !$0.hasPrefix("bf-01") }))
    }

    @Test func exitStatusOneForBadArguments() throws {
        let b = try BackfillFixture()
        let config = b.f.config(output: b.f.fileOutput)
        let (status, _, err) = try TailshipProcess.run(["backfill", "--config", config, "--since", "yesterday"], directory: b.f.dir.path)
        #expect(status == 1)
        #expect(err.contains("--since: not an RFC 3339 time"))
    }
}
