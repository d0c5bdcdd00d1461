import Foundation

/// The redaction canary corpus (`Tests/Fixtures/redaction/`) and the reference that says what
/// each line must become (`tools/redaction-corpus/expected.py`, Python, written apart from Tailship).
public enum RedactionCorpus {
    public static var events: String { TestFixtures.directory.appendingPathComponent("redaction/canary-events.log").path }
    public static var canariesFile: String { TestFixtures.directory.appendingPathComponent("redaction/canaries.txt").path }

    /// The `redact.paths` the corpus's custom-path events are meant for.
    public static let paths = [
        "requestObject.spec.password", "responseObject.items[*].spec.password",
        "requestObject.metadata.annotations[\"example.com/api-key\"]", "responseObject.items[*].metadata.annotations[\"example.com/api-key\"]",
    ]

    /// Each secret value as decoded, and every way it may be written (in the event, inside the
    /// annotation's string, and a base64 value's plain text): none may leave the node.
    public static func forbiddenStrings() throws -> [String] {
        let values = try String(contentsOfFile: canariesFile, encoding: .utf8).split(separator: "\n").map(String.init)
        var all: [String] = []
        for v in values {
            all.append(v)
            let written = String(decoding: try JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed, .withoutEscapingSlashes]), as: UTF8.self)
            all.append(String(written.dropFirst().dropLast()))
            all.append(written.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
                .replacingOccurrences(of: "&", with: "\\u0026").dropFirst().dropLast().description)
            if let plain = Data(base64Encoded: v), let text = String(data: plain, encoding: .utf8) { all.append(text) }
        }
        return Array(Set(all))
    }

    /// The reference's lines for `events` under the key in `keyFile` (and pseudonym key, if given).
    public static func expected(events: String = events, keyFile: String, pseudonymKeyFile: String? = nil) throws -> [String] {
        let script = TestFixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tools/redaction-corpus/expected.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [script, events, canariesFile, keyFile] + (pseudonymKeyFile.map { [$0] } ?? [])
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The forbidden strings found in `bytes`.
    public static func leaks(in bytes: [UInt8], forbidden: [String]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        return forbidden.filter { text.contains($0) }
    }
}
