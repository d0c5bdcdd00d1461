import TailshipJSON
#if canImport(Glibc)
import Glibc
#endif

/// What redaction needs of an event's top level: what the request was about and where its
/// objects are. The scan stops after `objectRef` when the resource needs nothing more (the
/// apiserver writes `objectRef` before the objects, so their bytes are never walked).
struct EventShape {
    var resource: JSONString?
    var subresource: JSONString?
    var requestObject: Range<Int>?
    var responseObject: Range<Int>?
    /// The event object's bytes.
    var root: Range<Int>

    var objects: [Range<Int>] { [requestObject, responseObject].compactMap { $0 } }

    static let objectRefMember = Array(#""objectRef":{"#.utf8)
    static let resourceMember = Array(#""resource":""#.utf8)

    /// Whether the event is certainly about a resource other than `interesting` ones (each
    /// written with its closing quote): `"objectRef":{` found by a byte search and confirmed a
    /// member of the top-level object (depth 1, outside strings), and its `"resource":"` value
    /// before the first `}`. Cheaper than reading every member before it; false when unsure.
    static func isAboutOtherResource(_ p: UnsafePointer<UInt8>, _ n: Int, interesting: [[UInt8]]) -> Bool {
        let start = JSONScanner.skipSpace(p, 0, n)
        guard start < n, p[start] == 0x7B, let found = ByteSearch.find(objectRefMember, in: p, n) else { return false }
        let k = UnsafeRawPointer(found) - UnsafeRawPointer(p)
        guard JSONScanner.depth(p, from: start, to: k) == 1 else { return false }
        // objectRef holds strings only: its first `}` ends it, unless a value holds one (then: unsure).
        let open = k + objectRefMember.count
        guard let brace = memchr(p + open, 0x7D, n - open) else { return false }
        let close = UnsafeRawPointer(brace) - UnsafeRawPointer(p)
        guard let r = ByteSearch.find(resourceMember, in: p + open, close - open) else { return false }
        let value = UnsafeRawPointer(r) - UnsafeRawPointer(p) + resourceMember.count
        for name in interesting where value + name.count <= close && memcmp(p + value, name, name.count) == 0 { return false }
        return true
    }

    /// nil when the line is not a JSON object.
    static func scan(_ p: UnsafePointer<UInt8>, _ n: Int, whole: Bool, needsMore: (EventShape) -> Bool) -> EventShape? {
        let start = JSONScanner.skipSpace(p, 0, n)
        guard start < n, p[start] == 0x7B else { return nil }
        var shape = EventShape(root: start..<n)
        var j = JSONScanner.skipSpace(p, start + 1, n)
        if j < n && p[j] == 0x7D { return finished(shape, at: j + 1) }
        while j < n, p[j] == 0x22 {
            var escaped = false
            let keyEnd = JSONScanner.skipString(p, j, n, &escaped)
            guard keyEnd > 0 else { return nil }
            let key = JSONString(start: j + 1, end: keyEnd - 1, escaped: escaped)
            var v = JSONScanner.skipSpace(p, keyEnd, n)
            guard v < n, p[v] == 0x3A else { return nil }
            v = JSONScanner.skipSpace(p, v + 1, n)
            let end = JSONScanner.skipValue(p, v, n)
            guard end > 0 else { return nil }
            if JSONScanner.keyIs(key, "objectRef", p) {
                shape.readObjectRef(p, v, end)
                if !whole && !needsMore(shape) { return shape }
            } else if JSONScanner.keyIs(key, "requestObject", p) {
                shape.requestObject = v..<end
            } else if JSONScanner.keyIs(key, "responseObject", p) {
                shape.responseObject = v..<end
            }
            j = JSONScanner.skipSpace(p, end, n)
            guard j < n else { return nil }
            if p[j] == 0x7D { return finished(shape, at: j + 1) }
            guard p[j] == 0x2C else { return nil }
            j = JSONScanner.skipSpace(p, j + 1, n)
        }
        return nil
    }

    private static func finished(_ shape: EventShape, at end: Int) -> EventShape {
        var s = shape
        s.root = s.root.lowerBound..<end
        return s
    }

    private mutating func readObjectRef(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
        var resource: JSONString?, subresource: JSONString?
        _ = JSONScanner.forEachMember(p, start, end) { m in
            if JSONScanner.keyIs(m.key, "resource", p) { resource = JSONScanner.string(p, m) }
            if JSONScanner.keyIs(m.key, "subresource", p) { subresource = JSONScanner.string(p, m) }
        }
        self.resource = resource
        self.subresource = subresource
    }
}
