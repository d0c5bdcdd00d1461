import Testing
import TailshipJSON

/// The NDJSON output's cheap count of lines that are not objects: braces at both ends.
@Suite struct LooksLikeObjectTests {
    static func check(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { EventFields.looksLikeObject($0.baseAddress!, $0.count) }
    }

    @Test func bracesAtBothEndsCount() {
        for line in [#"{"kind":"Event"}"#, "  {}  ", "{\"a\":1}\r", "\t{ \"x\": [1, 2] }\t"] {
            #expect(Self.check(line), "\(line)")
        }
    }

    @Test func anythingElseDoesNot() {
        for line in ["not json at all", "[1,2,3]", "\"str\"", "{", "}", "{\"a\":1", "\"a\":1}", " ", "x{}"] {
            #expect(!Self.check(line), "\(line)")
        }
    }

    /// Where it and the strict scanner differ: a line framed as an object but broken inside.
    @Test func brokenInsideIsOnlyCaughtByTheStrictCheck() {
        let line = Array(#"{"a":}"#.utf8)
        line.withUnsafeBufferPointer { p in
            #expect(EventFields.looksLikeObject(p.baseAddress!, p.count))
            #expect(!EventFields.isObject(p.baseAddress!, p.count))
        }
    }
}
