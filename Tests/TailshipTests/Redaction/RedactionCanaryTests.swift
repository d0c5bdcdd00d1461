import Foundation
import Tailship
import TailshipCompress
import Testing
import TailshipTestSupport

/// The canary corpus through the real daemon to three outputs: a file, an HTTP receiver, and
/// one that refuses every batch (400, so its batches go to the dead-letter directory). No
/// canary may appear in any byte they hold, plain or gzip-decoded; every line must be the
/// Python reference's, byte for byte; tokens are stable across a restart and change with the key.
@Suite(.serialized) struct RedactionCanaryTests {
    static let keyA = "a redaction key of 32 bytes ...."
    static let keyB = "another redaction key, 32 bytes."

    struct Run {
        let f = DaemonFixture()
        let accepting: PyReceiver
        let refusing: PyReceiver
        let config: String
        let keyFile: String

        init(key: String) throws {
            accepting = try PyReceiver(directory: f.dir.path)
            refusing = try PyReceiver(directory: f.dir.path, defaultAnswer: #"{"status": 400, "body": "bad request"}"#)
            keyFile = f.dir.file("redact.key")
            try (key + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
            let paths = RedactionCorpus.paths.map { "'\($0)'" }.joined(separator: ", ")
            config = f.config(outputs: """
                  - name: archive
                    file: {directory: "\(f.out)"}
                  - name: siem
                \(f.httpOutput(accepting.url()).replacingOccurrences(of: "  http", with: "    http"))
                  - name: refused
                \(f.httpOutput(refusing.url()).replacingOccurrences(of: "  http", with: "    http"))
                """, extra: """
                redact: {key_file: "\(keyFile)", paths: [\(paths)]}
                pseudonymize: {fields: [user.username, sourceIPs]}
                """)
        }

        var deadLetterDirectory: String { f.deadLetter + "/refused" }

        func shipped() -> (archive: [String], siem: [String], refused: [String]) {
            (f.delivered(), accepting.acceptedLines, (try? readDeadLetters(deadLetterDirectory).lines) ?? [])
        }

        /// Every file under the output and dead-letter directories, and every body the receivers got: as stored and gunzipped.
        func everyByte() throws -> [UInt8] {
            var all: [UInt8] = []
            for dir in [f.out, f.deadLetter] {
                for name in FileManager.default.subpaths(atPath: dir) ?? [] {
                    guard let data = FileManager.default.contents(atPath: "\(dir)/\(name)") else { continue }
                    all += Array(data)
                    if name.hasSuffix(".gz") { all += try Gunzip.decompress(Array(data)) }
                }
            }
            for r in accepting.requests + refusing.requests { all += r.body }
            return all
        }
    }

    static func ship(_ run: Run, copies: Int) async throws {
        let corpus = try String(contentsOfFile: RedactionCorpus.events, encoding: .utf8)
        appendText(corpus, to: run.f.log)
        var daemon = try TailshipProcess(["run", "--config", run.config], directory: run.f.dir.path)
        #expect(await daemon.ready())
        let n = corpus.split(separator: "\n").count
        for copy in 1...copies {
            if copy > 1 {
                // Stopped and started again between copies: the key is read again from its file.
                await daemon.stopCleanly()
                appendText(corpus, to: run.f.log)
                daemon = try TailshipProcess(["run", "--config", run.config], directory: run.f.dir.path)
                #expect(await daemon.ready())
            }
            #expect(await eventually(seconds: 30) {
                let s = run.shipped()
                return s.archive.count >= n * copy && s.siem.count >= n * copy && s.refused.count >= n * copy
            })
        }
        await daemon.stopCleanly()
    }

    @Test func noCanaryLeavesTheNodeAndEveryOtherByteIsTheReferences() async throws {
        let run = try Run(key: Self.keyA)
        try await Self.ship(run, copies: 2)
        let expected = try RedactionCorpus.expected(keyFile: run.keyFile, pseudonymKeyFile: run.f.dir.file("state/pseudonymize.key"))
        let s = run.shipped()
        #expect(s.archive == expected + expected)
        #expect(s.siem == expected + expected)
        #expect(s.refused == expected + expected)
        let forbidden = try RedactionCorpus.forbiddenStrings()
        let bytes = try run.everyByte()
        let leaks = RedactionCorpus.leaks(in: bytes, forbidden: forbidden)
        print("redaction canaries: \(forbidden.count) forbidden strings, \(bytes.count) bytes checked (outputs, dead letters, bodies), \(leaks.count) found; "
              + "\(expected.joined().matches(of: /<redacted sha256:/).count) values redacted per copy")
        #expect(leaks.isEmpty, "\(leaks)")
        // The key file beside the registry was made 0600 at first start.
        let mode = try FileManager.default.attributesOfItem(atPath: run.f.dir.file("state/pseudonymize.key"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func anotherKeyGivesOtherTokens() async throws {
        let a = try Run(key: Self.keyA), b = try Run(key: Self.keyB)
        try await Self.ship(a, copies: 1)
        try await Self.ship(b, copies: 1)
        let tokens = { (lines: [String]) in Set(lines.flatMap { $0.matches(of: /sha256:[0-9a-f]{12}/).map { String($0.output) } }) }
        let ta = tokens(a.shipped().archive), tb = tokens(b.shipped().archive)
        #expect(ta.count >= 50 && tb.count >= 50)
        #expect(ta.isDisjoint(with: tb))
        #expect(b.shipped().archive == (try RedactionCorpus.expected(keyFile: b.keyFile, pseudonymKeyFile: b.f.dir.file("state/pseudonymize.key"))))
    }
}
