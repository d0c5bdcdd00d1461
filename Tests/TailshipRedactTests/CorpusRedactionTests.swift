import Foundation
import Testing
import TailshipTestSupport
@testable import TailshipRedact

/// The canary corpus through the redactor in-process, against the Python reference: every
/// line byte for byte, no canary left, the same value the same token wherever it is written.
@Suite struct CorpusRedactionTests {
    let dir = TempDirectory()

    func redactor(key: String, pseudonymKey: String? = nil) throws -> EventRedactor {
        let k = try RedactionKey(Array(key.utf8)), pk = try pseudonymKey.map { try RedactionKey(Array($0.utf8)) }
        let settings = RedactionSettings(secrets: true, paths: try RedactionCorpus.paths.map { try RedactPath(parsing: $0) },
                                         pseudonymize: pk == nil ? [] : [try RedactPath(parsing: "user.username"), try RedactPath(parsing: "sourceIPs")])
        return EventRedactor(settings: settings, redactionKey: { k }, pseudonymKey: pk.map { key in { key } })
    }

    func run(_ redactor: EventRedactor) throws -> [String] {
        try String(contentsOfFile: RedactionCorpus.events, encoding: .utf8).split(separator: "\n").map { line in
            var bytes = Array(line.utf8)
            return bytes.withUnsafeMutableBytes { raw in
                redactor.process(UnsafeRawBufferPointer(raw)) ? String(decoding: redactor.output, as: UTF8.self) : String(line)
            }
        }
    }

    @Test func everyLineIsTheReferencesAndNoCanaryIsLeft() throws {
        for (key, pseudonym) in [("0123456789abcdef0123456789abcdef", nil), ("another key, 16+ bytes long", "pseudonym key of 32 bytes......")] {
            let keyFile = dir.file("key"), pseudonymFile = dir.file("pkey")
            try (key + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
            try pseudonym.map { try $0.write(toFile: pseudonymFile, atomically: true, encoding: .utf8) }
            let redactor = try redactor(key: key, pseudonymKey: pseudonym)
            let got = try run(redactor)
            let expected = try RedactionCorpus.expected(keyFile: keyFile, pseudonymKeyFile: pseudonym == nil ? nil : pseudonymFile)
            #expect(got.count == expected.count)
            for (i, (g, e)) in zip(got, expected).enumerated() { #expect(g == e, "line \(i + 1)") }
            let leaks = RedactionCorpus.leaks(in: Array(got.joined(separator: "\n").utf8), forbidden: try RedactionCorpus.forbiddenStrings())
            #expect(leaks.isEmpty, "\(leaks)")
            #expect(redactor.redacted >= 59)
            // Every output line is still JSON.
            for line in got { #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line.prefix(200))") }
        }
    }

    @Test func anotherKeyGivesOtherTokensAndTheSameKeyTheSame() throws {
        let a = try run(redactor(key: "0123456789abcdef0123456789abcdef"))
        let again = try run(redactor(key: "0123456789abcdef0123456789abcdef"))
        let b = try run(redactor(key: "fedcba9876543210fedcba9876543210"))
        #expect(a == again)
        let tokens = { (lines: [String]) in Set(lines.flatMap { $0.matches(of: /sha256:[0-9a-f]{12}/).map { String($0.output) } }) }
        #expect(tokens(a).count >= 50)
        #expect(tokens(a).isDisjoint(with: tokens(b)))
    }
}
