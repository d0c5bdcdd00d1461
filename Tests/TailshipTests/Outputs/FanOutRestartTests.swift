import Foundation
import Tailship
import Testing
import TailshipTail
import TailshipTestSupport

/// Each output's own cursor across a crash, a registry written by an older Tailship, and `registry show`.
@Suite(.serialized) struct FanOutRestartTests {
    /// Per output, the offsets `registry show --json` gives for every file.
    static func offsets(_ f: DaemonFixture) throws -> [String: [String: UInt64]] {
        let (status, json, err) = try TailshipProcess.run(["registry", "show", "--registry", f.registry, "--json"], directory: f.dir.path)
        #expect(status == 0, "\(err)")
        let rows = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]) ?? []
        var out: [String: [String: UInt64]] = [:]
        for row in rows {
            for (name, offset) in row["outputs"] as? [String: NSNumber] ?? [:] { out[name, default: [:]][row["id"] as? String ?? ""] = offset.uint64Value }
        }
        return out
    }

    static func ids(_ receiver: PyReceiver) -> [String] {
        OutputReader.auditIDs(in: Array(receiver.acceptedLines.joined(separator: "\n").utf8))
    }

    @Test func killNineWithThreeOutputsAtDifferentOffsetsResumesEachAtItsOwn() async throws {
        let f = DaemonFixture()
        let stall = f.dir.file("c-down")
        let b = try PyReceiver(directory: f.dir.path), c = try PyReceiver(directory: f.dir.path, failWhile: stall)
        let archive = f.dir.file("archive")
        let retry = "timeout: 2s, retry: {initial_backoff: 50ms, max_backoff: 500ms}"
        let config = f.config(outputs: """
              - name: a
                file: {directory: "\(archive)"}
              - name: b
                http: {url: "\(b.url())", \(retry)}
              - name: c
                http: {url: "\(c.url())", \(retry)}
            """)
        let archived = { OutputReader.auditIDs(in: (try? OutputReader.contents(of: archive)) ?? []) }
        var daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        try LumberjackWriter.run(path: f.log, events: 5000)
        #expect(await eventually(seconds: 60) { archived().count >= 5000 && Self.ids(b).count >= 5000 && Self.ids(c).count >= 5000 })
        // c goes down; a and b take 5,000 more.
        _ = FileManager.default.createFile(atPath: stall, contents: nil)
        try LumberjackWriter.run(path: f.log, events: 5000, start: 5000)
        #expect(await eventually(seconds: 60) { archived().count >= 10_000 && Self.ids(b).count >= 10_000 })
        try await Task.sleep(for: .milliseconds(300))
        daemon.signal(SIGKILL)
        _ = await daemon.waitForExit(seconds: 10)
        let before = try Self.offsets(f)
        let sum = { (name: String) in before[name, default: [:]].values.reduce(0, +) }
        print("fan-out kill -9: committed bytes over all files: a \(sum("a")), b \(sum("b")), c \(sum("c"))")
        #expect(Set(before.keys) == ["a", "b", "c"])
        #expect(sum("c") < sum("a") && sum("c") < sum("b"))
        #expect(Self.ids(c).count < 10_000)
        let cBefore = Self.ids(c).count, aBefore = archived().count, bBefore = Self.ids(b).count

        try FileManager.default.removeItem(atPath: stall)
        try LumberjackWriter.run(path: f.log, events: 2000, start: 10_000)
        daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let written = LumberjackWriter.ids(0..<12_000)
        #expect(await eventually(seconds: 90) {
            Set(archived()).count >= 12_000 && Set(Self.ids(b)).count >= 12_000 && Set(Self.ids(c)).count >= 12_000
        })
        await daemon.stopCleanly()
        for (name, delivered, had) in [("a", archived(), aBefore), ("b", Self.ids(b), bBefore), ("c", Self.ids(c), cBefore)] {
            let report = DeliveryReport(written: written, delivered: delivered)
            print("fan-out kill -9, output \(name): \(had) before the restart; \(report)")
            #expect(report.missing.isEmpty, "\(name): \(report)")
            // Resumed at its own offset: at most what was acknowledged after the last registry write comes again.
            // (A whole file of 1,317 came again, 1 run in 8, while c, let go, kept the shared registry's offsets
            // where reading began and a backup's inode was reused: see SharedCursorsTests.)
            #expect(report.duplicated <= 1000, "\(name): \(report)")
        }
    }

    /// A version-1 registry (one output, no names) gives its offsets to every output at the first
    /// start: nothing shipped before is shipped again; `registry show` then has a column per output.
    @Test func aVersionOneRegistryMigratesToEveryOutputAndShowHasAColumnEach() async throws {
        let f = DaemonFixture()
        let first = (0..<300).map(numberedLine), second = (300..<500).map(numberedLine)
        appendLines(first, to: f.log)
        var daemon = try TailshipProcess(["run", "--config", f.config(output: f.fileOutput)], directory: f.dir.path)
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 20) { f.delivered().count >= 300 })
        await daemon.stopCleanly()
        // What an older Tailship wrote: the one document, version 1.
        let document = try #require(try RegistryStore(path: f.registry).load()?.document(for: "default"))
        try RegistryStore.encode(document).write(to: URL(fileURLWithPath: f.registry))
        try? FileManager.default.removeItem(atPath: f.registry + ".prev")
        #expect(try RegistryStore(path: f.registry).load()?.legacy != nil)

        appendLines(second, to: f.log)
        let (siem, archive) = (f.dir.file("siem"), f.dir.file("archive"))
        let config = f.config(outputs: """
              - name: siem
                file: {directory: "\(siem)"}
              - name: archive
                file: {directory: "\(archive)"}
            """)
        daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 20) { deliveredLines(in: siem).count >= 200 && deliveredLines(in: archive).count >= 200 })
        try await Task.sleep(for: .milliseconds(300))
        await daemon.stopCleanly()
        #expect(daemon.stderr.contains("registry migrated from version 1"))
        #expect(deliveredLines(in: siem) == second && deliveredLines(in: archive) == second)
        let set = try #require(try RegistryStore(path: f.registry).load())
        #expect(set.legacy == nil && set.outputs.keys.sorted() == ["archive", "siem"])
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(f.committed() == ["archive": size, "siem": size])
        let (status, table, _) = try TailshipProcess.run(["registry", "show", "--registry", f.registry], directory: f.dir.path)
        #expect(status == 0)
        let lines = table.split(separator: "\n")
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true).prefix(3) == ["ID", "OFFSET:archive", "OFFSET:siem"])
        #expect(lines.contains { $0.contains(f.log) && $0.split(separator: " ").filter { $0 == "\(size)" }.count >= 3 }, "\(table)")
    }
}
