import TailshipJSON

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
    /// Where the scan stopped (the end of the root when it read every member).
    var scanned: Int
    var complete = false

    var objects: [Range<Int>] { [requestObject, responseObject].compactMap { $0 } }

    /// nil when the line is not a JSON object.
    static func scan(_ p: UnsafePointer<UInt8>, _ n: Int, whole: Bool, needsMore: (EventShape) -> Bool) -> EventShape? {
        let start = JSONScanner.skipSpace(p, 0, n)
        guard start < n, p[start] == 0x7B else { return nil }
        var shape = EventShape(root: start..<n, scanned: start)
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
                if !whole && !needsMore(shape) {
                    shape.scanned = end
                    return shape
                }
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
        s.scanned = end
        s.complete = true
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
