import TailshipJSON
import TailshipBasics

/// What the output formats need from one line: whether it is a JSON object,
/// and a few string fields, found without decoding the event.
struct EventLine {
    var isObject = false
    var auditID: JSONString?
    var stage: JSONString?
    var stageTimestamp: JSONString?
    var level: JSONString?
    var verb: JSONString?
    var apiGroup: JSONString?
    var namespace: JSONString?
    var resource: JSONString?

    init(_ p: UnsafePointer<UInt8>, _ n: Int) {
        guard n > 0 else { return }
        var f = EventLine.empty
        let start = JSONScanner.skipSpace(p, 0, n)
        let end = JSONScanner.forEachMember(p, start, n) { m in
            let k = m.key
            if JSONScanner.keyIs(k, "auditID", p) { f.auditID = JSONScanner.string(p, m) }
            else if JSONScanner.keyIs(k, "stage", p) { f.stage = JSONScanner.string(p, m) }
            else if JSONScanner.keyIs(k, "stageTimestamp", p) { f.stageTimestamp = JSONScanner.string(p, m) }
            else if JSONScanner.keyIs(k, "level", p) { f.level = JSONScanner.string(p, m) }
            else if JSONScanner.keyIs(k, "verb", p) { f.verb = JSONScanner.string(p, m) }
            else if JSONScanner.keyIs(k, "objectRef", p), p[m.valueStart] == 0x7B {
                _ = JSONScanner.forEachMember(p, m.valueStart, m.valueEnd) { o in
                    if JSONScanner.keyIs(o.key, "apiGroup", p) { f.apiGroup = JSONScanner.string(p, o) }
                    else if JSONScanner.keyIs(o.key, "namespace", p) { f.namespace = JSONScanner.string(p, o) }
                    else if JSONScanner.keyIs(o.key, "resource", p) { f.resource = JSONScanner.string(p, o) }
                }
            }
        }
        guard end >= 0, JSONScanner.skipSpace(p, end, n) == n else { return }
        f.isObject = true
        self = f
    }

    private init() {}
    private static let empty = EventLine()

    /// `stageTimestamp` as nanoseconds since the epoch, if present and valid.
    func stageNanoseconds(_ p: UnsafePointer<UInt8>) -> Int64? {
        guard let s = stageTimestamp, !s.escaped else { return nil }
        return RFC3339.nanoseconds(UnsafeRawBufferPointer(start: p + s.start, count: s.count))
    }

    /// The raw (still escaped, so valid inside JSON quotes) bytes of a field.
    func raw(_ s: JSONString?, _ p: UnsafePointer<UInt8>) -> UnsafeRawBufferPointer? {
        guard let s else { return nil }
        return UnsafeRawBufferPointer(start: p + s.start, count: s.count)
    }

    func labelValue(_ field: String, _ p: UnsafePointer<UInt8>) -> String {
        let s: JSONString?
        switch field {
        case "level": s = level
        case "stage": s = stage
        case "verb": s = verb
        case "objectRef.apiGroup": s = apiGroup
        case "objectRef.namespace": s = namespace
        case "objectRef.resource": s = resource
        default: s = nil
        }
        return s?.string(in: p) ?? ""
    }
}
