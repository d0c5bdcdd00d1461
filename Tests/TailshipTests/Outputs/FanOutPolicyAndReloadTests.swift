import Foundation
import Tailship
import Testing
import TailshipTail
import TailshipTestSupport

/// Per-output policy chains against `tailship policy test --apply`, and outputs added and removed by SIGHUP.
@Suite(.serialized) struct FanOutPolicyAndReloadTests {
    static func policy(_ name: String) -> String { TestFixtures.policies.appendingPathComponent(name).path }

    /// What `tailship policy test --apply` makes of `input` under each policy in turn.
    static func chain(_ policies: [String], input: String, in f: DaemonFixture) throws -> [String] {
        var current = input
        for (i, policy) in policies.enumerated() {
            let (status, out, err) = try TailshipProcess.run(["policy", "test", "--apply", "--policy", policy, current], directory: f.dir.path)
            #expect(status == 0, "\(err)")
            current = f.dir.file("chain-\(policies.count)-\(i).ndjson")
            try out.write(toFile: current, atomically: true, encoding: .utf8)
        }
        return try String(contentsOfFile: current, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func eachOutputGetsExactlyWhatItsPolicyChainDecides() async throws {
        let f = DaemonFixture()
        let (input, _, _) = try RealLogsTests.stage(into: f.dir)
        try Data(input).write(to: URL(fileURLWithPath: f.log))
        let top = Self.policy("cloud-default-style.yaml")
        let own = ["siem": nil, "falco": Self.policy("metadata-everything.yaml"), "archive": Self.policy("recommended-exec-and-pods.yaml")]
        let config = f.config(outputs: """
              - name: siem
                file: {directory: "\(f.dir.file("siem"))"}
              - name: falco
                file: {directory: "\(f.dir.file("falco"))"}
                policy: "\(own["falco"]!!)"
              - name: archive
                file: {directory: "\(f.dir.file("archive"))"}
                policy: "\(own["archive"]!!)"
            """, extra: "policy: \"\(top)\"")
        var expected: [String: [String]] = [:]
        for (name, policy) in own { expected[name] = try Self.chain([top] + (policy.map { [$0] } ?? []), input: f.log, in: f) }
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let size = UInt64(input.count)
        #expect(await eventually(seconds: 60) { f.committed().values.filter { $0 == size }.count == 3 })
        await daemon.stopCleanly()
        for name in ["siem", "falco", "archive"] {
            let delivered = deliveredLines(in: f.dir.file(name))
            print("fan-out policy: \(name) \(delivered.count) lines, its chain \(expected[name]!.count)")
            #expect(delivered == expected[name]!, "\(name)")
        }
        // The chains differ, or the test would show nothing.
        #expect(Set([expected["siem"]!.count, expected["falco"]!.count, expected["archive"]!.count]).count == 3
            || expected["siem"]! != expected["falco"]!)
    }

    @Test func sighupAddsAnOutputAtStartAtAndRemovesOneWithItsOffsets() async throws {
        let f = DaemonFixture()
        let (a, b) = (f.dir.file("a"), f.dir.file("b"))
        let lines = (0..<400).map(numberedLine)
        appendLines(Array(lines[0..<200]), to: f.log)
        let one = "  - name: a\n    file: {directory: \"\(a)\"}"
        let two = "  - name: b\n    file: {directory: \"\(b)\"}"
        let config = f.config(outputs: one)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 20) { deliveredLines(in: a).count >= 200 })
        _ = f.config(outputs: one + "\n" + two)
        daemon.signal(SIGHUP)
        // A new output starts at start_at (beginning here): the live file from its start.
        #expect(await eventually(seconds: 20) { deliveredLines(in: b).count >= 200 })
        appendLines(Array(lines[200..<300]), to: f.log)
        #expect(await eventually(seconds: 20) { deliveredLines(in: a).count >= 300 && deliveredLines(in: b).count >= 300 })
        #expect(await eventually(seconds: 5) { Set(f.committed().keys) == ["a", "b"] })
        _ = f.config(outputs: two)
        daemon.signal(SIGHUP)
        #expect(await eventually(seconds: 20) { daemon.stderr.contains("output removed: its offsets are dropped") })
        appendLines(Array(lines[300..<400]), to: f.log)
        #expect(await eventually(seconds: 20) { deliveredLines(in: b).count >= 400 })
        #expect(await eventually(seconds: 5) { Set(f.committed().keys) == ["b"] })
        await daemon.stopCleanly()
        #expect(deliveredLines(in: a) == Array(lines[0..<300]))
        #expect(deliveredLines(in: b) == lines)
        #expect(!daemon.stderr.contains("need a restart"))
    }
}
