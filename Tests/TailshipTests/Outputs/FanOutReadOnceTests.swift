import Foundation
import Tailship
import Testing
import TailshipTail
import TailshipTestSupport

/// Lines are read once for every output. Measured by the kernel: the bytes the daemon read
/// (`rchar` in /proc/PID/io, every read call it made) against the bytes of the log. Control,
/// in the same test: the outputs' offsets made different, so that each catches up on its
/// own, must show three times the bytes, or the measure could not tell the two apart. Then,
/// level again, the outputs are fed by one reader and what is written next is read once.
@Suite(.serialized) struct FanOutReadOnceTests {
    static let events = 10_000
    static let names = ["a", "b", "c"]

    @Test func threeOutputsReadTheLogOnceAndEachOnItsOwnWhenTheirOffsetsDifferUntilLevel() async throws {
        let f = DaemonFixture()
        let dirs = Self.names.map { f.dir.file("out-\($0)") }
        let config = f.config(outputs: zip(Self.names, dirs).map { "  - name: \($0)\n    file: {directory: \"\($1)\"}" }.joined(separator: "\n"),
                              extra: "monitoring: {listen: \"127.0.0.1:0\"}")
        // One file, no rotation: the bytes there are to read are the file's size.
        try Self.write(f.log, from: 0)
        let firstBytes = try Self.size(f.log)
        var daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 90) { dirs.allSatisfy { Self.ids(in: $0).count >= Self.events } })
        let shared = try Self.readBytes(daemon)
        #expect(daemon.stderr.contains("outputs=a,b,c"))
        await daemon.stopCleanly()

        // Control: each output's registry document gets another creation time, so no two match.
        let store = RegistryStore(path: f.registry)
        var set = try #require(try store.load())
        for (i, name) in Self.names.enumerated() {
            guard var document = set.outputs[name] else { continue }
            document.createdAt = (document.createdAt ?? 0) - Double(i + 1)
            set.outputs[name] = document
        }
        try store.save(set)
        try Self.write(f.log, from: Self.events)
        let secondBytes = try Self.size(f.log) - firstBytes
        daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "control")
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 90) { dirs.allSatisfy { Self.ids(in: $0).count >= 2 * Self.events } })
        let own = try Self.readBytes(daemon)

        // Level again: every output goes back to the shared reader; the next lines are read once.
        let monitoring = try #require(await MonitoringClient.address(of: daemon))
        #expect(await eventually(seconds: 30) {
            Self.names.allSatisfy { ((try? monitoring.scrape())?.value("tailship_shared_reader", ["output": $0]) ?? 0) == 1 }
        })
        let before = try Self.readBytes(daemon), sizeBefore = try Self.size(f.log)
        try Self.write(f.log, from: 2 * Self.events)
        let thirdBytes = try Self.size(f.log) - sizeBefore
        #expect(await eventually(seconds: 90) { dirs.allSatisfy { Self.ids(in: $0).count >= 3 * Self.events } })
        let rejoined = try Self.readBytes(daemon) - before
        await daemon.stopCleanly()

        print("fan-out read once: log \(firstBytes) bytes, read \(shared) (\(Double(shared) / Double(firstBytes))x) by one shared reader; control: \(secondBytes) bytes appended, read \(own) (\(Double(own) / Double(secondBytes))x) by three readers; level again: \(thirdBytes) bytes appended, read \(rejoined) (\(Double(rejoined) / Double(thirdBytes))x)")
        #expect(Double(shared) < 1.2 * Double(firstBytes))
        #expect(Double(own) > 2.8 * Double(secondBytes))
        #expect(Double(rejoined) < 1.2 * Double(thirdBytes))
        for (name, dir) in zip(Self.names, dirs) {
            let report = DeliveryReport(written: LumberjackWriter.ids(0..<(3 * Self.events)), delivered: Self.ids(in: dir))
            print("fan-out read once, \(name): \(report)")
            #expect(report.missing.isEmpty && report.duplicated == 0, "\(name): \(report)")
        }
    }

    private static func write(_ path: String, from start: Int) throws {
        let writer = try LumberjackWriter.start(path: path, events: events, start: start, maxSizeMiB: 1000, backups: 0, compress: false)
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
    }

    private static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    private static func ids(in directory: String) -> [String] {
        OutputReader.auditIDs(in: (try? OutputReader.contents(of: directory)) ?? [])
    }

    /// The kernel's count of bytes the process read through read(2) and its kin.
    private static func readBytes(_ daemon: TailshipProcess) throws -> Int {
        let io = try String(contentsOfFile: "/proc/\(daemon.process.processIdentifier)/io", encoding: .utf8)
        let line = try #require(io.split(separator: "\n").first { $0.hasPrefix("rchar:") })
        return Int(line.dropFirst("rchar:".count).trimmingCharacters(in: .whitespaces)) ?? -1
    }
}
