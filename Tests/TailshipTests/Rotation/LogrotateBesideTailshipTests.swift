import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// Debian's logrotate beside Tailship, each style run next to a control directory
/// nothing follows (`SideBySideRotation`): logrotate must say nothing and keep the
/// same lines in both, and Tailship must deliver every line written, with its
/// default configuration, also through a 60 s outage with a SIGKILL in it while
/// `rotate 2` deletes files that were never shipped.
@Suite(.serialized) struct LogrotateBesideTailshipTests {
    static let styles: [(name: String, prefix: String, directives: String)] = [
        ("copytruncate + compress", "ct", "copytruncate\ncompress"),
        ("create + compress", "cc", "create 0600\ncompress"),
        ("create + compress + delaycompress", "cd", "create 0600\ncompress\ndelaycompress"),
    ]
    /// Dated names (GKE's `NAME-YYYYMMDD-EPOCH.gz`) and an age limit, with the receiver healthy.
    static let dated = ("create + compress + dateext + maxage", "dx", "create 0600\ncompress\ndateext\ndateformat -%Y%m%d-%s\nmaxage 1")

    struct Outcome: CustomStringConvertible {
        var style: String
        var written = 0
        var onDiskWith = 0
        var onDiskWithout = 0
        var sameLines = false
        var logrotateRuns = 0
        var logrotateErrors: [String] = []
        var report: DeliveryReport?
        var filesLost = 0.0
        var peakPins = (files: 0, bytes: UInt64(0))

        var description: String {
            "\(style): written \(written), on disk with Tailship \(onDiskWith), without \(onDiskWithout) (same lines: \(sameLines)), "
                + "logrotate runs \(logrotateRuns), errors \(logrotateErrors.count), \(report.map { "\($0)" } ?? "no delivery"), "
                + "files lost \(Int(filesLost)), pins at the peak \(peakPins.files) files, \(peakPins.bytes) bytes on disk"
        }
    }

    /// Samples the pin directory's disk use until stopped, keeping the peak.
    final class PinSampler: @unchecked Sendable {
        private let lock = NSLock()
        private var peak = (files: 0, bytes: UInt64(0))
        private var stopped = false

        init(_ dir: String) {
            Thread.detachNewThread { [self] in
                while !lock.withLock({ stopped }) {
                    let now = SideBySideRotation.diskUse(dir)
                    lock.withLock { if now.bytes > peak.bytes { peak = now } }
                    usleep(200_000)
                }
            }
        }

        func stop() -> (files: Int, bytes: UInt64) {
            lock.withLock {
                stopped = true
                return peak
            }
        }
    }

    func run(_ style: (name: String, prefix: String, directives: String), outage: Bool) async throws -> Outcome {
        let f = DaemonFixture()
        let side = try SideBySideRotation(root: f.dir.path, name: style.name, prefix: style.prefix, directives: style.directives,
                                          rotate: outage ? 2 : 200)
        let outageEnds = Date().addingTimeInterval(outage ? 60 : 0)
        let receiver = try await TestReceiver(keepsRefusedBodies: false) { _ in
            Date() < outageEnds ? (503, "{\"error\":\"unavailable\"}") : (200, "{}")
        }
        // The defaults, but for the output and the metrics server the test reads.
        let config = f.config(paths: [side.log], output: "  http: {url: \"\(receiver.url)\"}", batch: "{}",
                              extra: "monitoring: {listen: \"127.0.0.1:0\"}")
        var daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "\(style.prefix)-run0")
        var client = try #require(await MonitoringClient.address(of: daemon))
        let sampler = PinSampler(f.dir.file("state/pins"))
        let writing = Task { await onThread("writer-\(style.prefix)") { side.run(seconds: outage ? 62 : 12) } }
        var outcome = Outcome(style: style.name)
        if outage {
            try await Task.sleep(for: .seconds(30))
            outcome.filesLost += (try? client.scrape().value("tailship_files_lost_total")) ?? 0
            daemon.signal(SIGKILL)
            _ = await daemon.waitForExit(seconds: 5)
            daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "\(style.prefix)-run1")
            client = try #require(await MonitoringClient.address(of: daemon))
        }
        await writing.value
        let written = side.ids
        let want = Set(written)
        _ = await eventually(seconds: 120) { want.isSubset(of: OutputReader.auditIDs(in: receiver.acceptedBytes)) }
        outcome.filesLost += (try? client.scrape().value("tailship_files_lost_total")) ?? 0
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 30) == 0)
        await receiver.stop()
        outcome.peakPins = sampler.stop()
        let with = try SideBySideRotation.linesOnDisk(side.followed), without = try SideBySideRotation.linesOnDisk(side.control)
        outcome.written = written.count
        outcome.onDiskWith = with.count
        outcome.onDiskWithout = without.count
        outcome.sameLines = with == without
        outcome.logrotateRuns = side.logrotateRuns
        outcome.logrotateErrors = side.logrotateErrors
        outcome.report = DeliveryReport(written: written, delivered: OutputReader.auditIDs(in: receiver.acceptedBytes))
        return outcome
    }

    /// The three styles at once (each has its own writer, logrotate, Tailship and receiver).
    func runAll(outage: Bool) async throws -> [Outcome] {
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            for style in Self.styles + (outage ? [] : [Self.dated]) { group.addTask { try await run(style, outage: outage) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    func expectAsWithoutTailship(_ outcomes: [Outcome], _ label: String) {
        #expect(outcomes.count >= Self.styles.count)
        for o in outcomes {
            print("logrotate beside Tailship, \(label): \(o)")
            #expect(o.logrotateErrors.isEmpty, "\(o.style): \(o.logrotateErrors.prefix(3))")
            #expect(o.logrotateRuns >= 12, "\(o.style): logrotate ran \(o.logrotateRuns) times")
            #expect(o.sameLines && o.onDiskWith > 0, "\(o.style): the node kept other lines with Tailship beside logrotate")
            #expect(o.report?.missing.isEmpty == true, "\(o.style): \(o.report.map { "\($0)" } ?? "")")
            #expect(o.filesLost == 0, "\(o.style)")
        }
    }

    @Test func receiverHealthyEveryStyleKeepsWhatTheControlKeeps() async throws {
        expectAsWithoutTailship(try await runAll(outage: false), "receiver healthy, rotate 200")
    }

    @Test func outageWithAKillEveryStyleKeepsWhatTheControlKeepsAndLosesNothing() async throws {
        let outcomes = try await runAll(outage: true)
        expectAsWithoutTailship(outcomes, "503 for 60 s, rotate 2, SIGKILL at 30 s")
        for o in outcomes {
            #expect(o.onDiskWith < o.written, "\(o.style): rotate 2 deleted lines during the outage")
            #expect(o.peakPins.files > 0, "\(o.style): the pins kept what rotate 2 deleted")
        }
    }
}
