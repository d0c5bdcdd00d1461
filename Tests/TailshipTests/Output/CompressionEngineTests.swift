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

    /// The same log backfilled four times: the same batches (each gzip member, decoded by Python, holds the
    /// same bytes) and compressed sizes within 0.1 %. Batches are compressed on both cores at once from
    /// reused heap memory; before ISA-L's state was cleared for every batch, the bench log compressed to
    /// 261 to 362 MB from run to run. Not byte equality: ISA-L's output for one member differed by
    /// 2 bytes in 1 of about 130 runs on this VM (same input and parameters; a C harness making
    /// 6,000 calls never reproduced it), always decoding to the same bytes.
    @Test func theSameLogCompressesToTheSameBatchesAndSize() throws {
        let f = DaemonFixture()
        let lines = try Self.realLines()
        var text = ""
        while text.utf8.count < 24 << 20 { text += lines.map { $0 + "\n" }.joined() }
        appendText(text, to: f.log)
        var runs: [(members: [String], compressed: Int)] = []
        for run in 0..<4 {
            let out = f.dir.file("out-\(run)")
            // Batches cut by size and count only: a slow moment must not cut one early.
            let text = try String(contentsOfFile: f.config(output: "  file: {directory: \"\(out)\"}", batch: "{max_events: 500, max_wait: 1h}"), encoding: .utf8)
            let config = f.dir.file("tailship-\(run).yaml")
            try text.replacingOccurrences(of: "registry.json", with: "registry-\(run).json").write(toFile: config, atomically: true, encoding: .utf8)
            let (status, _, err) = try TailshipProcess.run(["backfill", "--config", config], directory: f.dir.path)
            #expect(status == 0, "\(err)")
            runs.append(try Self.members(in: out))
        }
        #expect(runs[0].members.count > 10)
        for other in runs.dropFirst() {
            #expect(other.members == runs[0].members, "two runs cut or decode batches differently")
            let ratio = Double(other.compressed) / Double(runs[0].compressed)
            #expect(abs(ratio - 1) < 0.001, "\(runs[0].compressed) and \(other.compressed) bytes")
        }
    }

    /// Every gzip member of the output files in name order, as Python's zlib decodes it (a digest of
    /// its bytes), and the files' total size.
    static func members(in directory: String) throws -> (members: [String], compressed: Int) {
        let script = """
        import glob, hashlib, sys, zlib
        data = b"".join(open(p, "rb").read() for p in sorted(glob.glob(sys.argv[1] + "/*.gz")))
        print(len(data))
        while data:
            d = zlib.decompressobj(31)
            print(hashlib.sha256(d.decompress(data)).hexdigest())
            data = d.unused_data
        """
        let (status, out) = try runCommand(["python3", "-c", script, directory])
        #expect(status == 0, "\(out)")
        let rows = out.split(separator: "\n").map(String.init)
        return (Array(rows.dropFirst()), Int(rows.first ?? "") ?? 0)
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
