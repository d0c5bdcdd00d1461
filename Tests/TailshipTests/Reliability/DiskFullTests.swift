import Foundation
import Testing
import Tailship
import TailshipTail
import TailshipTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The registry and the file output on a 1 MiB tmpfs that fills up while
/// events keep coming: a clear error, the registry never corrupt, nothing
/// lost or repeated, and delivery resumes once space is freed.
@Suite(.serialized, .enabled(if: geteuid() == 0, "mounting a tmpfs needs root"))
struct DiskFullTests {
    @Test func fullDiskStallsThenRecoversWithNothingLost() async throws {
        let f = DaemonFixture()
        let small = f.dir.file("small")
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        let (mounted, message) = try runCommand(["mount", "-t", "tmpfs", "-o", "size=1m", "tailship-test", small])
        try #require(mounted == 0, "mount failed: \(message)")
        defer { _ = try? runCommand(["umount", "-l", small]) }
        let registry = "\(small)/registry.json"
        let out = "\(small)/out"
        let config = f.dir.file("tailship.yaml")
        try """
            inputs: [{paths: ["\(f.log)"]}]
            registry: {path: "\(registry)", flush_interval: 100ms}
            batch: {max_events: 200, max_wait: 100ms}
            output: {file: {directory: "\(out)"}}
            log: {level: info}
            monitoring: {listen: "127.0.0.1:0"}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        func delivered() -> [String] { deliveredLines(in: out) }
        let first = (0..<2000).map(numberedLine)
        appendText(first.joined(separator: "\n") + "\n", to: f.log)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        let client = try #require(await MonitoringClient.address(of: daemon))
        #expect(await eventually(seconds: 30) { delivered().count == 2000 })
        let firstSize = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(await eventually(seconds: 10) { (try? RegistryStore(path: registry).load()?.only?.entries.first?.offset) == firstSize })

        // Fill the disk, then keep writing events.
        let filler = "\(small)/filler"
        let (_, ddOutput) = try runCommand(["dd", "if=/dev/zero", "of=\(filler)", "bs=4096"])
        #expect(ddOutput.contains("No space left on device"))
        let second = (2000..<5000).map(numberedLine)
        for chunk in stride(from: 0, to: second.count, by: 500) {
            appendText(second[chunk..<min(chunk + 500, second.count)].joined(separator: "\n") + "\n", to: f.log)
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(await eventually(seconds: 20) {
            daemon.stderr.contains("file output failed; will retry") && daemon.stderr.contains("cannot write registry")
        })
        #expect(daemon.stderr.contains("No space left on device"))
        // While full: the registry on disk still loads and points inside the input.
        let stuck = try #require(try RegistryStore(path: registry).load()?.only?.entries.first)
        let fullSize = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(stuck.offset >= firstSize && stuck.offset < fullSize)
        let metrics = try client.scrape()
        #expect((metrics.value("tailship_registry_write_errors_total") ?? 0) >= 1)
        #expect((metrics.value("tailship_batches_total", ["outcome": "retry"]) ?? 0) >= 1)
        #expect(client.get("/healthz").status == 200)

        // Free the space: everything arrives, once, in order.
        try FileManager.default.removeItem(atPath: filler)
        #expect(await eventually(seconds: 60) { delivered().count >= 5000 })
        #expect(delivered() == first + second)
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(await eventually(seconds: 10) { (try? RegistryStore(path: registry).load()?.only?.entries.first?.offset) == size })
        // Logged just after the file is replaced: wait for the line, not only the file.
        #expect(await eventually(seconds: 10) { daemon.stderr.contains("registry written again") })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 20) == 0)
    }

    /// A line over max_line_bytes whose dead-letter directory is full: reading waits on
    /// it (offset not committed past it, a metric, a critical line) instead of losing
    /// it; once space is freed the line lands there whole and the rest is shipped.
    @Test func oversizeLineWithAFullDeadLetterDiskStallsThenLandsWhole() async throws {
        let f = DaemonFixture()
        try FileManager.default.createDirectory(atPath: f.deadLetter, withIntermediateDirectories: true)
        let (mounted, message) = try runCommand(["mount", "-t", "tmpfs", "-o", "size=4m", "tailship-test", f.deadLetter])
        try #require(mounted == 0, "mount failed: \(message)")
        defer { _ = try? runCommand(["umount", "-l", f.deadLetter]) }
        let filler = "\(f.deadLetter)/filler"
        _ = try runCommand(["dd", "if=/dev/zero", "of=\(filler)", "bs=4096"])
        let before = (0..<100).map(numberedLine), after = (100..<200).map(numberedLine)
        let long = #"{"kind":"Event","auditID":"long","pad":""# + String(repeating: "x", count: 1 << 20) + #""}"#
        appendText(before.joined(separator: "\n") + "\n", to: f.log)
        let longStart = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        appendText(long + "\n" + after.joined(separator: "\n") + "\n", to: f.log)
        let config = f.config(output: f.fileOutput, extra: "monitoring: {listen: \"127.0.0.1:0\"}", maxLine: "64KiB")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        let client = try #require(await MonitoringClient.address(of: daemon))
        #expect(await eventually(seconds: 20) { (try? client.scrape().value("tailship_dead_letter_stalled")) == 1 })
        #expect(await eventually(seconds: 10) { f.delivered().count == 100 })
        try await Task.sleep(for: .seconds(2))
        #expect(f.delivered().count == 100 && f.delivered() == before, "nothing after the unstored line is shipped")
        let stuck = try RegistryStore(path: f.registry).load()?.only?.entries.first?.offset ?? 0
        #expect(stuck <= longStart, "offset \(stuck) is not committed past the line's start \(longStart)")
        #expect(daemon.stderr.contains("cannot store a line longer than max_line_bytes"))
        #expect((try client.scrape().value("tailship_dead_letter_write_errors_total") ?? 0) >= 1)

        try FileManager.default.removeItem(atPath: filler)
        #expect(await eventually(seconds: 20) { f.delivered().count == 200 })
        #expect(f.delivered() == before + after, "in order, once")
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(await eventually(seconds: 10) { (try? RegistryStore(path: f.registry).load()?.only?.entries.first?.offset) == size })
        #expect((try client.scrape().value("tailship_dead_letter_stalled")) == 0)
        let stored = try FileManager.default.contentsOfDirectory(atPath: f.deadLetter).filter { $0.hasSuffix(".line") }
        let contents = stored.compactMap { FileManager.default.contents(atPath: "\(f.deadLetter)/\($0)") }
        #expect(contents.contains(Data((long + "\n").utf8)), "the line is stored whole, once: \(contents.map(\.count))")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 20) == 0)
    }
}
