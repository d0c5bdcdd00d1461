import Foundation
import Testing
import TailshipTestSupport
@testable import TailshipRedact

/// Paths as written in the configuration, key files, and lines the redactor leaves alone.
@Suite struct RedactPieceTests {
    @Test func pathsParseOrSayWhatIsWrong() throws {
        #expect(try RedactPath(parsing: "requestObject.spec.containers[*].env[2].value").segments
                == [.key(Array("requestObject".utf8)), .key(Array("spec".utf8)), .key(Array("containers".utf8)), .anyItem,
                    .key(Array("env".utf8)), .item(2), .key(Array("value".utf8))])
        #expect(try RedactPath(parsing: #"requestObject.metadata.annotations["a.b/c"].*"#).segments
                == [.key(Array("requestObject".utf8)), .key(Array("metadata".utf8)), .key(Array("annotations".utf8)), .key(Array("a.b/c".utf8)), .anyMember])
        for (bad, message) in [("", "the path is empty"), ("a..b", "empty key at character 3"), ("[*]", "a path starts with a top-level key"),
                               ("a[x]", "use [*]"), ("a[1", "is not closed"), ("a]b", "unexpected \"]\"")] {
            #expect(throws: RedactPathError.self) { try RedactPath(parsing: bad) }
            do { _ = try RedactPath(parsing: bad) } catch { #expect(error.description.contains(message), "\(bad): \(error)") }
        }
    }

    @Test func aKeyFileIsReadAgainWhenItChanges() async throws {
        let dir = TempDirectory()
        let path = dir.file("key")
        try "first key, sixteen bytes or more\n".write(toFile: path, atomically: true, encoding: .utf8)
        let file = try KeyFile(path: path)
        let before = file.key()
        try "second key, sixteen bytes or more".write(toFile: path, atomically: true, encoding: .utf8)
        // Looked at again at most once a second.
        let deadline = Date().addingTimeInterval(5)
        while file.key() == before && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(file.key().bytes == Array("second key, sixteen bytes or more".utf8))
        // A broken file keeps the last good key.
        try "short".write(toFile: path, atomically: true, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(1200))
        #expect(file.key().bytes == Array("second key, sixteen bytes or more".utf8))
        #expect(throws: RedactionKeyError.self) { try KeyFile(path: dir.file("missing")) }
        #expect(try KeyFile.generateIfMissing(dir.file("made")))
        #expect(try KeyFile(path: dir.file("made")).key().bytes.count == 64)
        let mode = try FileManager.default.attributesOfItem(atPath: dir.file("made"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try !KeyFile.generateIfMissing(dir.file("made")))
    }

    @Test func linesWithNothingToRedactStayAsTheyAre() throws {
        let key = try RedactionKey(Array("0123456789abcdef".utf8))
        let redactor = EventRedactor(settings: RedactionSettings(), redactionKey: { key })
        let lines = [
            "not json at all", "[1,2,3]", "{\"kind\":\"Event\"}", "{}",
            #"{"kind":"Event","objectRef":{"resource":"secrets","name":"empty"},"requestObject":{"kind":"Secret","metadata":{"name":"empty"},"type":"Opaque"}}"#,
            #"{"kind":"Event","objectRef":{"resource":"secrets"},"requestObject":{"kind":"Secret","data":null}}"#,
            #"{"kind":"Event","objectRef":{"resource":"configmaps"},"requestObject":{"kind":"ConfigMap","data":{"a":"b"}}}"#,
            #"{"kind":"Event","objectRef":{"resource":"secrets"},"requestObject":{"kind":"Secret","data":{"a":"b"}"#,  // cut short
        ]
        for line in lines {
            let bytes = Array(line.utf8)
            #expect(!bytes.withUnsafeBytes { redactor.process($0) }, "\(line)")
        }
        // A surrogate pair inside the annotation: the edit maps back to the escapes as written.
        let applied = #"{\"kind\":\"Secret\",\"data\":{\"k\":\"\ud83d\ude00 x\"},\"note\":\"\ud83d\ude00\"}"#
        let line = #"{"objectRef":{"resource":"secrets"},"requestObject":{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":""#
            + applied + #""}}}}"#
        let bytes = Array(line.utf8)
        #expect(bytes.withUnsafeBytes { redactor.process($0) })
        let out = String(decoding: redactor.output, as: UTF8.self)
        #expect(out.contains(#"\"note\":\"\ud83d\ude00\"}"#) && out.contains(#"\"k\":\"<redacted sha256:"#) && !out.contains(" x"))
        #expect((try? JSONSerialization.jsonObject(with: Data(redactor.output))) != nil)
    }

    /// The shortcut that skips most events: sure only when the top-level objectRef says another resource.
    @Test func theShortcutIsSureOnlyOfOtherResources() {
        let interesting = EventRedactor.interestingValues
        let cases: [(String, Bool)] = [
            (#"{"kind":"Event","objectRef":{"resource":"pods","name":"x"},"requestObject":{}}"#, true),
            (#"{"kind":"Event","objectRef":{"resource":"secrets","name":"x"}}"#, false),
            (#"{"kind":"Event","objectRef":{"resource":"serviceaccounts","subresource":"token"}}"#, false),
            (#"{"kind":"Event","objectRef":{"resource":"secretsx"}}"#, true),
            (#"{"kind":"Event","objectRef":{"name":"a}b","resource":"secrets"}}"#, false),        // a brace in a value: unsure
            (#"{"kind":"Event","objectRef": {"resource":"pods"}}"#, false),                     // not as the apiserver writes: unsure
            (#"{"user":{"extra":{"objectRef":{"resource":"pods"}}},"objectRef":{"resource":"secrets"}}"#, false),  // nested first
            (#"{"k":""objectRef":{"resource":"pods"}","objectRef":{"resource":"secrets"}}"#, false),       // inside a string
            (#"{"objectRef":{"apiVersion":"v1"}}"#, false),                                       // no resource
            ("not json", false),
        ]
        for (line, sure) in cases {
            let bytes = Array(line.utf8)
            #expect(bytes.withUnsafeBufferPointer { EventShape.isAboutOtherResource($0.baseAddress!, $0.count, interesting: interesting) } == sure, "\(line)")
        }
    }
}
