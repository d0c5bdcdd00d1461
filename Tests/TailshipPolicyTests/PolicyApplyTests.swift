import TailshipJSON
import Foundation
import Testing
@testable import TailshipPolicy

@Suite("Reducing events: only removal, every other byte kept")
struct PolicyApplyTests {
    static func processor(_ rules: String, head: String = "") throws -> PolicyProcessor {
        PolicyProcessor(policy: try PolicyLoader.parse("apiVersion: audit.k8s.io/v1\nkind: Policy\n\(head)rules:\n\(rules)\n"))
    }

    static func run(_ p: PolicyProcessor, _ line: String) -> (PolicyAction, String) {
        let bytes = Array(line.utf8)
        let v = bytes.withUnsafeBytes { p.process($0) }
        switch v.action {
        case .reduce: return (v.action, String(decoding: p.output, as: UTF8.self))
        case .keep, .invalid: return (v.action, line)
        case .drop: return (v.action, "")
        }
    }

    static let full = #"{"kind":"Event","level":"RequestResponse","auditID":"a","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/d/pods","verb":"create","user":{"username":"u"},"objectRef":{"resource":"pods","namespace":"d","apiVersion":"v1"},"requestObject":{"kind":"Pod","metadata":{"name":"p","managedFields":[{"manager":"kubectl"}],"labels":{"a":"b"}}},"responseObject":{"kind":"Pod","metadata":{"managedFields":[{"manager":"kubectl"}],"name":"p"}},"requestReceivedTimestamp":"2026-01-01T00:00:00.000000Z"}"#

    @Test("Metadata removes both objects and lowers the level")
    func metadata() throws {
        let (action, out) = Self.run(try Self.processor("- level: Metadata"), Self.full)
        #expect(action == .reduce)
        #expect(out == #"{"kind":"Event","level":"Metadata","auditID":"a","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/d/pods","verb":"create","user":{"username":"u"},"objectRef":{"resource":"pods","namespace":"d","apiVersion":"v1"},"requestReceivedTimestamp":"2026-01-01T00:00:00.000000Z"}"#)
    }

    @Test("Request removes only the response object")
    func request() throws {
        let (action, out) = Self.run(try Self.processor("- level: Request"), Self.full)
        #expect(action == .reduce)
        #expect(out == #"{"kind":"Event","level":"Request","auditID":"a","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/d/pods","verb":"create","user":{"username":"u"},"objectRef":{"resource":"pods","namespace":"d","apiVersion":"v1"},"requestObject":{"kind":"Pod","metadata":{"name":"p","managedFields":[{"manager":"kubectl"}],"labels":{"a":"b"}}},"requestReceivedTimestamp":"2026-01-01T00:00:00.000000Z"}"#)
    }

    @Test("omitManagedFields removes metadata.managedFields wherever it sits among the keys")
    func managedFields() throws {
        let (action, out) = Self.run(try Self.processor("- level: RequestResponse", head: "omitManagedFields: true\n"), Self.full)
        #expect(action == .reduce)
        #expect(out.contains(#""requestObject":{"kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}}}"#))
        #expect(out.contains(#""responseObject":{"kind":"Pod","metadata":{"name":"p"}}"#))
        #expect(out.contains(#""level":"RequestResponse""#))
    }

    @Test("omitManagedFields reaches into each item of a list")
    func managedFieldsItems() throws {
        let line = #"{"kind":"Event","level":"RequestResponse","stage":"ResponseComplete","verb":"list","objectRef":{"resource":"pods"},"responseObject":{"kind":"PodList","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"a","managedFields":[]}},{"metadata":{"managedFields":[{"x":1}]}},{"metadata":{"managedFields":null,"uid":"u"}}]}}"#
        let (action, out) = Self.run(try Self.processor("- {level: RequestResponse, omitManagedFields: true}"), line)
        #expect(action == .reduce)
        #expect(out == #"{"kind":"Event","level":"RequestResponse","stage":"ResponseComplete","verb":"list","objectRef":{"resource":"pods"},"responseObject":{"kind":"PodList","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"a"}},{"metadata":{}},{"metadata":{"uid":"u"}}]}}"#)
    }

    @Test("without managed fields to remove, the event is kept as its own bytes")
    func nothingToRemove() throws {
        let line = #"{"kind":"Event","level":"Metadata","stage":"ResponseComplete","verb":"get"}"#
        let (action, out) = Self.run(try Self.processor("- level: RequestResponse", head: "omitManagedFields: true\n"), line)
        #expect(action == .keep)
        #expect(out == line)
    }

    @Test("spacing and key order are kept, whatever the position of the removed members")
    func spacing() throws {
        let line = #"{ "requestObject" : {"a": 1},"responseObject":[1, 2] , "kind": "Event",  "level" :"RequestResponse", "stage": "Panic" }"#
        let (action, out) = Self.run(try Self.processor("- level: Metadata"), line)
        #expect(action == .reduce)
        #expect(out == #"{ "kind": "Event",  "level" :"Metadata", "stage": "Panic" }"#)
        let tail = #"{"kind": "Event", "level": "RequestResponse", "responseObject": {}}"#
        #expect(Self.run(try Self.processor("- level: Request"), tail).1 == #"{"kind": "Event", "level": "Request"}"#)
    }

    @Test("ByteEdit removes any set of members and leaves valid JSON", arguments: 0..<64)
    func removalSets(_ mask: Int) throws {
        let keys = ["a", "b", "c", "d", "e", "f"]
        let line = "{" + keys.enumerated().map { "\"\($1)\": [\($0), {\"x\":\"}\"}]" }.joined(separator: " ,") + "}"
        let bytes = Array(line.utf8)
        let removed = (0..<6).filter { mask & (1 << $0) != 0 }
        var members: [JSONMember] = []
        var edits: [ByteEdit] = []
        var out: [UInt8] = []
        bytes.withUnsafeBufferPointer { b in
            _ = JSONScanner.forEachMember(b.baseAddress!, 0, b.count) { members.append($0) }
            ByteEdit.removing(removed, from: members, into: &edits)
            ByteEdit.apply(edits, to: b.baseAddress!, b.count, into: &out)
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out)) as? [String: Any])
        #expect(Set(object.keys) == Set(keys.indices.filter { !removed.contains($0) }.map { keys[$0] }))
    }

    @Test("lines that are not audit events are invalid", arguments: [
        "", "not json", "[1,2]", "\"Event\"", "42", #"{"kind":"Pod","level":"Metadata"}"#, #"{"level":"Metadata"}"#,
        #"{"kind":"Event","level":"Metadata""#, #"{"kind":"Event"} trailing"#, #"{"kind":"Event",}"#, #"{"kind":Event}"#,
        #"{"kind":"Event","x":[1,2}"#, #"{"kind":"Event","x":"unterminated}"#, #"{"kind":{"a":"Event"}}"#,
        #"{"kind":"Event","x":tru}"#, "{\"kind\":\"Event\",\"x\":" + String(repeating: "[", count: 100_000) + "}",
    ])
    func invalid(_ line: String) throws {
        let p = try Self.processor("- level: RequestResponse")
        #expect(Self.run(p, line).0 == .invalid)
    }

    @Test("deep nesting, escapes and odd numbers inside an event are skipped, not choked on")
    func hostileButValid() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let line = #"{"kind":"Event","level":"Metadata","stage":"ResponseComplete","deep":\#(deep),"s":"a\"b\\\\\"}{[","n":-1.5e+300,"t":true,"z":null}"#
        let p = try Self.processor("- level: Metadata")
        #expect(Self.run(p, line).0 == .keep)
        #expect(Self.run(p, "  " + line + " \r").0 == .keep)
    }
}
