import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// `backfill` with several outputs: every output, or one with `--output`; `deadletter --output`.
@Suite(.serialized) struct FanOutBackfillTests {
    @Test func backfillShipsToOneOutputWithOutputAndToTheRestAfterwards() throws {
        let f = DaemonFixture()
        let lines = (0..<1500).map(numberedLine)
        appendLines(lines, to: f.log)
        let (a, b) = (f.dir.file("a"), f.dir.file("b"))
        let config = f.config(outputs: """
              - name: a
                file: {directory: "\(a)"}
              - name: b
                file: {directory: "\(b)"}
            """)
        let size = UInt64(lines.reduce(0) { $0 + $1.utf8.count + 1 })
        var (status, out, err) = try TailshipProcess.run(["backfill", "--config", config, "--output", "a"], directory: f.dir.path)
        #expect(status == 0, "\(err)")
        #expect(out.contains("1500 events"), "\(out)")
        #expect(deliveredLines(in: a) == lines && deliveredLines(in: b).isEmpty)
        #expect(f.committed() == ["a": size])
        // Every output: b gets everything, a (already at the end) nothing more.
        (status, out, err) = try TailshipProcess.run(["backfill", "--config", config], directory: f.dir.path)
        #expect(status == 0, "\(err)")
        #expect(out.contains("events by output: a=0, b=1500"), "\(out)")
        #expect(deliveredLines(in: a) == lines && deliveredLines(in: b) == lines)
        #expect(f.committed() == ["a": size, "b": size])
        (status, _, err) = try TailshipProcess.run(["backfill", "--config", config, "--output", "c"], directory: f.dir.path)
        #expect(status != 0 && err.contains("--output c: no such output (configured: a, b)"), "\(err)")
    }

    @Test func deadletterTakesTheOutputByName() throws {
        let f = DaemonFixture()
        let config = f.config(outputs: """
              - name: a
                file: {directory: "\(f.dir.file("a"))"}
              - name: b
                http: {url: "http://127.0.0.1:9/x"}
            """)
        try FileManager.default.createDirectory(atPath: f.deadLetter + "/b", withIntermediateDirectories: true)
        let stored = "20261130T000000Z-invalid-lines.ndjson"
        try Data("not an event\n".utf8).write(to: URL(fileURLWithPath: f.deadLetter + "/b/" + stored))
        var (status, out, err) = try TailshipProcess.run(["deadletter", "list", "--config", config], directory: f.dir.path)
        #expect(status != 0 && err.contains("several outputs (a, b): name one with --output"), "\(err)")
        (status, out, err) = try TailshipProcess.run(["deadletter", "list", "--config", config, "--output", "a"], directory: f.dir.path)
        #expect(status == 0 && !out.contains(stored), "\(err)")
        (status, out, err) = try TailshipProcess.run(["deadletter", "list", "--config", config, "--output", "b"], directory: f.dir.path)
        #expect(status == 0 && out.contains(stored), "\(out) \(err)")
        (status, _, err) = try TailshipProcess.run(["deadletter", "replay", "--config", config, "--output", "a"], directory: f.dir.path)
        #expect(status != 0 && err.contains("replay needs an HTTP output"), "\(err)")
        (status, _, err) = try TailshipProcess.run(["deadletter", "list", "--config", config, "--output", "z"], directory: f.dir.path)
        #expect(status != 0 && err.contains("no output named z"), "\(err)")
    }
}
