import Foundation
import Testing
import TailshipTestSupport
@testable import TailshipJSON

@Suite("JSON skipping: 64-byte block masks agree with a byte-by-byte walk")
struct JSONScannerTests {
    typealias Rng = SplitMix64

    /// Strings dense in the bytes that matter: escaped quotes, runs of backslashes, brackets.
    static func string(_ r: inout Rng) -> String {
        let pieces = ["a", "{", "}", "[", "]", "\\\"", "\\\\", "\\\\\\\\", "\\n", "\\u0041", "x y", ",", ":", "é"]
        return "\"" + (0..<r.below(40)).map { _ in pieces[r.below(pieces.count)] }.joined() + "\""
    }

    static func value(_ r: inout Rng, depth: Int) -> String {
        switch depth > 6 ? r.below(3) : r.below(6) {
        case 0: return string(&r)
        case 1: return ["1", "-2.5e3", "true", "false", "null"][r.below(5)]
        case 2: return String(repeating: "\\\\", count: 0) + string(&r)
        case 3, 4:
            let members = (0..<r.below(5)).map { _ in string(&r) + ":" + value(&r, depth: depth + 1) }
            return "{" + members.joined(separator: r.below(2) == 0 ? "," : " , ") + "}"
        default:
            return "[" + (0..<r.below(5)).map { _ in value(&r, depth: depth + 1) }.joined(separator: ",") + "]"
        }
    }

    static func reference(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { b in
            var st = JSONScanner.ContainerState()
            var j = 0
            let r = JSONScanner.walk(b.baseAddress!, &st, &j, b.count)
            return r == 0 ? -1 : r
        }
    }

    static func fast(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { JSONScanner.skipContainer($0.baseAddress!, 0, $0.count) }
    }

    @Test("random containers, whole and cut short", arguments: 0..<20)
    func differential(_ seed: Int) throws {
        var r = Rng(seed: UInt64(seed) &* 7919 &+ 1)
        for _ in 0..<300 {
            let doc = "{" + (0..<(1 + r.below(8))).map { _ in Self.string(&r) + ":" + Self.value(&r, depth: 0) }.joined(separator: ",") + "}"
            let bytes = Array(doc.utf8)
            #expect(try JSONSerialization.jsonObject(with: Data(bytes)) is [String: Any])
            #expect(Self.fast(bytes) == bytes.count, "\(doc)")
            #expect(Self.reference(bytes) == bytes.count)
            // Trailing bytes after the container are not part of it.
            #expect(Self.fast(bytes + Array("   ,\"x\"}]".utf8)) == bytes.count)
            let cut = Array(bytes.prefix(r.below(bytes.count)))
            #expect(Self.fast(cut) == Self.reference(cut), "cut: \(String(decoding: cut, as: UTF8.self))")
        }
    }

    @Test("runs of backslashes across every 64-byte boundary")
    func backslashRuns() {
        for pad in 0..<70 {
            for run in 0..<6 {
                // run backslashes, then a quote: escaped when run is odd.
                let inner = String(repeating: "x", count: pad) + String(repeating: "\\", count: run) + (run % 2 == 1 ? "\"" : "")
                let doc = "{\"k\":\"" + inner + "\",\"b\":[\"]\",\"}\"]}"
                let bytes = Array(doc.utf8)
                #expect(Self.fast(bytes) == bytes.count, "pad \(pad) run \(run)")
                #expect(Self.reference(bytes) == bytes.count, "pad \(pad) run \(run)")
            }
        }
    }

    @Test("mismatched brackets are refused in blocks and in the tail")
    func mismatched() {
        for pad in [0, 10, 60, 63, 64, 70, 130] {
            let filler = "\"" + String(repeating: "f", count: pad) + "\""
            for bad in ["{\"a\":[1,2}" , "[{\"a\":1]]", "{" + filler + ":[}]"] {
                let doc = "{\"x\":" + filler + ",\"y\":" + bad + "}"
                #expect(Self.fast(Array(doc.utf8)) == -1, "\(doc)")
            }
        }
    }
}
