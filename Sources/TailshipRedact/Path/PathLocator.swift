import TailshipJSON

/// Finds the values a path names inside one JSON value, without decoding it.
enum PathLocator {
    /// Calls `body(start, end)` for each value `segments` reach from the value at `p[start..<end]`.
    static func locate(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ segments: ArraySlice<RedactPath.Segment>,
                       _ body: (Int, Int) -> Void) {
        guard let segment = segments.first else { return body(start, end) }
        let rest = segments.dropFirst()
        switch segment {
        case .key(let key):
            _ = JSONScanner.forEachMember(p, start, end) { m in
                if m.key.equals(key, in: p) { locate(p, m.valueStart, m.valueEnd, rest, body) }
            }
        case .anyMember:
            _ = JSONScanner.forEachMember(p, start, end) { m in locate(p, m.valueStart, m.valueEnd, rest, body) }
        case .anyItem:
            _ = JSONScanner.forEachElement(p, start, end) { s, e in locate(p, s, e, rest, body) }
        case .item(let wanted):
            var k = 0
            _ = JSONScanner.forEachElement(p, start, end) { s, e in
                if k == wanted { locate(p, s, e, rest, body) }
                k += 1
            }
        }
    }
}
