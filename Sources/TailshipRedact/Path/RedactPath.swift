/// A JSON path into an audit event, as `redact.paths` and `pseudonymize.fields` write it:
/// keys joined by dots from the event's top level (`requestObject.spec.password`), `[*]`
/// for every array item, `[3]` for one, `*` for every member of an object, and `["a.b/c"]`
/// for a key holding dots or brackets (an annotation's name).
public struct RedactPath: Sendable, Equatable, CustomStringConvertible {
    public enum Segment: Sendable, Equatable {
        case key([UInt8])
        case anyMember
        case anyItem
        case item(Int)
    }

    public let segments: [Segment]
    public let description: String

    public init(parsing text: String) throws(RedactPathError) {
        var parser = Parser(text: Array(text.utf8))
        segments = try parser.parse()
        description = text
    }

    private struct Parser {
        let text: [UInt8]
        var i = 0

        mutating func parse() throws(RedactPathError) -> [Segment] {
            guard !text.isEmpty else { throw RedactPathError("the path is empty") }
            guard text[0] != UInt8(ascii: "[") && text[0] != UInt8(ascii: "*") else {
                throw RedactPathError("a path starts with a top-level key of the event, such as requestObject")
            }
            var segments: [Segment] = [try name()]
            while i < text.count {
                if text[i] == UInt8(ascii: ".") {
                    i += 1
                    segments.append(try name())
                } else if text[i] == UInt8(ascii: "[") {
                    segments.append(try bracket())
                } else {
                    throw RedactPathError("unexpected \"\(Character(Unicode.Scalar(text[i])))\" at character \(i + 1)")
                }
            }
            return segments
        }

        /// A key up to the next dot or bracket; `*` alone is every member.
        mutating func name() throws(RedactPathError) -> Segment {
            let start = i
            while i < text.count && text[i] != UInt8(ascii: ".") && text[i] != UInt8(ascii: "[") && text[i] != UInt8(ascii: "]") { i += 1 }
            guard i > start else { throw RedactPathError("empty key at character \(start + 1)") }
            let key = Array(text[start..<i])
            return key == [UInt8(ascii: "*")] ? .anyMember : .key(key)
        }

        mutating func bracket() throws(RedactPathError) -> Segment {
            let open = i
            i += 1
            guard let close = text[i...].firstIndex(of: UInt8(ascii: "]")) else {
                throw RedactPathError("\"[\" at character \(open + 1) is not closed")
            }
            let inside = Array(text[i..<close])
            i = close + 1
            if inside == [UInt8(ascii: "*")] { return .anyItem }
            if inside.count >= 2, inside.first == UInt8(ascii: "\""), inside.last == UInt8(ascii: "\"") {
                return .key(Array(inside.dropFirst().dropLast()))
            }
            if !inside.isEmpty, inside.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(String(decoding: inside, as: UTF8.self)) {
                return .item(n)
            }
            throw RedactPathError("[\(String(decoding: inside, as: UTF8.self))] at character \(open + 1): use [*], an index such as [0], or a quoted key such as [\"a.b\"]")
        }
    }
}

public struct RedactPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
