import Foundation
import Testing
import TailshipTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Paths that stop being readable while the daemon runs: each is logged and
/// counted, the rest of the input keeps flowing, and following resumes, with
/// nothing lost, once the path is sane again.
@Suite(.serialized) struct ReadErrorTests {
    /// As root, the daemon runs without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
    /// (as the systemd unit and the DaemonSet run it), so file modes apply.
    static var launcher: [String] {
        geteuid() == 0 ? ["/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] : []
    }

    struct Run {
        let f = DaemonFixture()
        let daemon: TailshipProcess
        let client: MonitoringClient

        init(paths: [String]? = nil) async throws {
            let config = f.config(paths: paths, output: f.fileOutput, extra: "monitoring: {listen: \"127.0.0.1:0\"}")
            daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, launcher: ReadErrorTests.launcher)
            client = try #require(await MonitoringClient.address(of: daemon))
        }

        func expectDelivered(_ lines: [String], seconds: Double = 30) async {
            #expect(await eventually(seconds: seconds) { f.delivered().count >= lines.count })
            #expect(f.delivered() == lines)
        }

        func readErrors() -> Double { (try? client.scrape().value("tailship_read_errors_total")) ?? -1 }

        func stop() async {
            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit(seconds: 20) == 0)
        }
    }

    static func lines(_ range: Range<Int>) -> [String] { range.map(numberedLine) }
    static func write(_ range: Range<Int>, to path: String) { appendText(lines(range).joined(separator: "\n") + "\n", to: path) }

    @Test func unreadableNewFileIsReportedAndReadOncePermitted() async throws {
        let run = try await Run()
        Self.write(0..<100, to: run.f.log)
        await run.expectDelivered(Self.lines(0..<100))
        // Rotate to a new live file nobody may read yet: created with mode 000, so the
        // daemon can never open it between its creation and a chmod.
        #expect(rename(run.f.log, run.f.log + ".1") == 0)
        let fd = open(run.f.log, O_WRONLY | O_CREAT | O_EXCL, 0)
        #expect(fd >= 0)
        let text = Array((Self.lines(100..<200).joined(separator: "\n") + "\n").utf8)
        #expect(text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == text.count)
        close(fd)
        #expect(await eventually(seconds: 10) { run.daemon.stderr.contains("cannot open file") })
        #expect(run.daemon.stderr.contains("Permission denied"))
        #expect(run.readErrors() >= 1)
        #expect(run.f.delivered().count == 100)
        #expect(chmod(run.f.log, 0o644) == 0)
        await run.expectDelivered(Self.lines(0..<200))
        #expect(run.daemon.stderr.contains("file can be opened again"))
        await run.stop()
    }

    @Test func fileReplacedByADirectoryIsReportedUntilAFileReturns() async throws {
        let run = try await Run()
        Self.write(0..<100, to: run.f.log)
        await run.expectDelivered(Self.lines(0..<100))
        try FileManager.default.removeItem(atPath: run.f.log)
        try FileManager.default.createDirectory(atPath: run.f.log, withIntermediateDirectories: false)
        #expect(await eventually(seconds: 10) { run.daemon.stderr.contains("is a directory, not a file") })
        #expect(run.readErrors() >= 1)
        try FileManager.default.removeItem(atPath: run.f.log)
        Self.write(100..<200, to: run.f.log)
        await run.expectDelivered(Self.lines(0..<200))
        #expect(run.daemon.stderr.contains("path no longer fails"))
        await run.stop()
    }

    @Test func deletedAndRecreatedDirectoryIsFollowedAgain() async throws {
        let f0 = TempDirectory()
        let sub = f0.file("logs")
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        let run = try await Run(paths: ["\(sub)/*.log"])
        Self.write(0..<100, to: "\(sub)/a.log")
        await run.expectDelivered(Self.lines(0..<100))
        try FileManager.default.removeItem(atPath: sub)
        try await Task.sleep(for: .milliseconds(500))
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        Self.write(100..<200, to: "\(sub)/a.log")
        await run.expectDelivered(Self.lines(0..<200), seconds: 10)
        // A second round proves the new directory is watched, not just polled once.
        try FileManager.default.removeItem(atPath: sub)
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        Self.write(200..<300, to: "\(sub)/b.log")
        await run.expectDelivered(Self.lines(0..<300), seconds: 10)
        await run.stop()
    }

    @Test func symlinkLoopInAGlobIsReportedAndOtherFilesFlow() async throws {
        let f0 = TempDirectory()
        let dir = f0.file("logs")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(symlink("\(dir)/loop-b.log", "\(dir)/loop-a.log") == 0)
        #expect(symlink("\(dir)/loop-a.log", "\(dir)/loop-b.log") == 0)
        Self.write(0..<100, to: "\(dir)/a.log")
        let run = try await Run(paths: ["\(dir)/*.log"])
        await run.expectDelivered(Self.lines(0..<100))
        #expect(await eventually(seconds: 10) { run.daemon.stderr.contains("Too many levels of symbolic links") })
        #expect(run.readErrors() == 2)
        // Sane again: the loop becomes a real file and is read.
        try FileManager.default.removeItem(atPath: "\(dir)/loop-a.log")
        try FileManager.default.removeItem(atPath: "\(dir)/loop-b.log")
        Self.write(100..<200, to: "\(dir)/loop-a.log")
        await run.expectDelivered(Self.lines(0..<200))
        await run.stop()
    }
}
