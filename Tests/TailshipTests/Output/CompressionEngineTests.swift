import Foundation
import Testing
import TailshipCompress
import TailshipTestSupport

/// The configured engine end to end, judged by programs Tailship did not write: Python's gzip
/// module decodes the HTTP bodies, Debian's gzip tests and decodes the output files.
@Suite(.serialized) struct CompressionEngineTests {
    static var realLog: String {
        TestFixtures.real.appendingPathComponent("openshift-cluster-logging-operator_audit_in.log").path
    }

    static func realLines() throws -> [String] {
        try String(contentsOfFile: realLog, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test(.enabled(if: CompressionEngine.isalBuiltIn)) func isalBodiesDecodeInPythonsGzip() async throws {
        let f = DaemonFixture()
        let receiver = try PyReceiver(directory: f.dir.path)
        let config = f.config(output: "  compression_engine: isal\n" + f.httpOutput(receiver.url()), batch: "{max_events: 50, max_wait: 50ms}")
        let lines = try Self.realLines()
        appendText(lines.map { $0 + "\n" }.joined(), to: f.log)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 30) { receiver.acceptedLines.count >= lines.count })
        #expect(receiver.acceptedLines.sorted() == lines.sorted())
        #expect(receiver.requests.allSatisfy { $0.headers.first { $0.key.lowercased() == "content-encoding" }?.value == "gzip" })
        await daemon.stopCleanly()
    }

    @Test(arguments: ["isal", "zlib"])
    func outputFilesPassGzipTest(engine: String) async throws {
        guard engine == "zlib" || CompressionEngine.isalBuiltIn else { return }
        let f = DaemonFixture()
        let config = f.config(output: "  compression_engine: \(engine)\n" + f.fileOutput, batch: "{max_events: 40, max_wait: 50ms}")
        let lines = try Self.realLines()
        appendText(lines.map { $0 + "\n" }.joined(), to: f.log)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 30) { f.delivered().count >= lines.count })
        await daemon.stopCleanly()
        var decoded = ""
        for name in try FileManager.default.contentsOfDirectory(atPath: f.out).sorted() where name.hasSuffix(".gz") {
            let (status, _) = try runCommand(["gzip", "-t", "\(f.out)/\(name)"])
            #expect(status == 0, "gzip -t refuses \(name)")
            decoded += try runCommand(["gzip", "-dc", "\(f.out)/\(name)"]).1
        }
        #expect(decoded == lines.map { $0 + "\n" }.joined(), "gzip -dc of the output files differs from the input (\(engine))")
    }

    /// The same log backfilled twice gives byte-identical output files (batches compressed on both
    /// cores at once, from reused heap memory: ISA-L's state is cleared for every batch).
    @Test func theSameLogCompressesToTheSameBytesTwice() throws {
        let f = DaemonFixture()
        let lines = try Self.realLines()
        var text = ""
        while text.utf8.count < 24 << 20 { text += lines.map { $0 + "\n" }.joined() }
        appendText(text, to: f.log)
        var outputs: [[UInt8]] = []
        for run in 0..<2 {
            let out = f.dir.file("out-\(run)")
            let text = try String(contentsOfFile: f.config(output: "  file: {directory: \"\(out)\"}"), encoding: .utf8)
            let config = f.dir.file("tailship-\(run).yaml")
            try text.replacingOccurrences(of: "registry.json", with: "registry-\(run).json").write(toFile: config, atomically: true, encoding: .utf8)
            let (status, _, err) = try TailshipProcess.run(["backfill", "--config", config], directory: f.dir.path)
            #expect(status == 0, "\(err)")
            let names = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".gz") }.sorted()
            outputs.append(try names.flatMap { Array(try Data(contentsOf: URL(fileURLWithPath: "\(out)/\($0)"))) })
        }
        #expect(outputs[0].count == outputs[1].count && outputs[0] == outputs[1], "\(outputs[0].count) and \(outputs[1].count) bytes")
    }

    @Test func checkShowsTheEngineAndRefusesImpossibleChoices() throws {
        let f = DaemonFixture()
        let auto = f.config(output: f.fileOutput)
        let (status, out, _) = try TailshipProcess.run(["check", "--config", auto], directory: f.dir.path)
        #expect(status == 0)
        #expect(out.contains("compression_engine: \(CompressionEngine.isalBuiltIn ? "isal" : "zlib")"), "\(out)")
        let six = f.config(output: "  compression_level: 6\n" + f.fileOutput)
        #expect(try TailshipProcess.run(["check", "--config", six], directory: f.dir.path).1.contains("compression_engine: zlib"))
        let bad = f.config(output: "  compression_level: 6\n  compression_engine: isal\n" + f.fileOutput)
        let (badStatus, _, err) = try TailshipProcess.run(["check", "--config", bad], directory: f.dir.path)
        #expect(badStatus != 0)
        #expect(err.contains("output.compression_engine"), "\(err)")
    }
}
