import Foundation
import Testing
import TailshipTestSupport
@testable import TailshipJSON

/// `JSONScanner.depth`, which decides whether a member found by a byte search belongs to the
/// top-level object, against a byte-by-byte reference at every offset of real audit lines.
@Suite struct DepthTests {
    /// The reference: depth at `target`, nil inside a string (or after a stray closing bracket).
    static func reference(_ b: [UInt8], _ target: Int) -> Int? {
        var depth = 0, inString = false, escaped = false
        for c in b[0..<target] {
            if inString {
                if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
                continue
            }
            switch c {
            case 0x22: inString = true
            case 0x7B, 0x5B: depth += 1
            case 0x7D, 0x5D:
                depth -= 1
                if depth < 0 { return nil }
            default: break
            }
        }
        return inString ? nil : depth
    }

    @Test func agreesWithTheReferenceAtEveryOffset() throws {
        var lines: [[UInt8]] = [
            Array(#"{"a":"x\"y{","b":{"c":["\\",{"d":"\\\"}"}]},"objectRef":{"resource":"secrets"}}"#.utf8),
            Array((#"{"k":""# + String(repeating: #"\\"#, count: 70) + #"","objectRef":{}}"#).utf8),
        ]
        let real = try String(contentsOf: TestFixtures.real.appendingPathComponent("openshift-cluster-logging-operator_audit_in.log"), encoding: .utf8)
        lines += real.split(separator: "\n").prefix(5).map { Array($0.utf8.prefix(3000)) }
        for line in lines {
            line.withUnsafeBufferPointer { b in
                for target in 0...b.count {
                    let got = JSONScanner.depth(b.baseAddress!, from: 0, to: target)
                    if got != Self.reference(line, target) {
                        Issue.record("offset \(target): \(String(describing: got)) vs \(String(describing: Self.reference(line, target)))")
                        return
                    }
                }
            }
        }
    }
}
