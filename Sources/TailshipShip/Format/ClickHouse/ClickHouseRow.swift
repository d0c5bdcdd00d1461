import TailshipJSON
import TailshipBasics

/// One `JSONEachRow` row for an audit event line, with the columns of `ClickHouseSchema`,
/// found with the byte scanner (no decoding of the event). String values are copied still
/// escaped as the event wrote them, so they stay valid JSON; `event` is the line itself.
struct ClickHouseRow {
    enum Field: Int, CaseIterable {
        case auditID, stage, level, verb, requestURI, username, sourceIP, userAgent
        case namespace, resource, subresource, name, apiGroup, decision
    }

    private(set) var strings = [JSONString?](repeating: nil, count: Field.allCases.count)
    private(set) var groups: [JSONString] = []
    private(set) var code: Int64 = 0
    private(set) var requestReceived: JSONString?
    private(set) var stageTime: JSONString?
    /// audit.k8s.io/v1alpha1 and early v1beta1 events have only `timestamp` (when the request
    /// arrived); it stands in for both times when they are absent.
    private(set) var legacyTimestamp: JSONString?
    /// A JSON object with a string `auditID`.
    private(set) var isAuditEvent = false

    init(_ p: UnsafePointer<UInt8>, _ n: Int) {
        guard n > 0 else { return }
        var row = ClickHouseRow()
        let start = JSONScanner.skipSpace(p, 0, n)
        let end = JSONScanner.forEachMember(p, start, n) { m in row.scanTop(m, p) }
        // Strictly valid JSON too: its strings are copied into the row as they are.
        row.isAuditEvent = end >= 0 && JSONScanner.skipSpace(p, end, n) == n && row.strings[Field.auditID.rawValue] != nil
            && JSONValidator.isObject(p, n)
        self = row
    }

    private init() {}

    private mutating func set(_ f: Field, _ m: JSONMember, _ p: UnsafePointer<UInt8>) {
        strings[f.rawValue] = JSONScanner.string(p, m)
    }

    private mutating func scanTop(_ m: JSONMember, _ p: UnsafePointer<UInt8>) {
        let k = m.key
        if JSONScanner.keyIs(k, "auditID", p) { set(.auditID, m, p) }
        else if JSONScanner.keyIs(k, "stage", p) { set(.stage, m, p) }
        else if JSONScanner.keyIs(k, "level", p) { set(.level, m, p) }
        else if JSONScanner.keyIs(k, "verb", p) { set(.verb, m, p) }
        else if JSONScanner.keyIs(k, "requestURI", p) { set(.requestURI, m, p) }
        else if JSONScanner.keyIs(k, "userAgent", p) { set(.userAgent, m, p) }
        else if JSONScanner.keyIs(k, "requestReceivedTimestamp", p) { requestReceived = JSONScanner.string(p, m) }
        else if JSONScanner.keyIs(k, "stageTimestamp", p) { stageTime = JSONScanner.string(p, m) }
        else if JSONScanner.keyIs(k, "timestamp", p) { legacyTimestamp = JSONScanner.string(p, m) }
        else if JSONScanner.keyIs(k, "sourceIPs", p) {
            var first = true
            _ = JSONScanner.forEachElement(p, m.valueStart, m.valueEnd) { s, e in
                if first { strings[Field.sourceIP.rawValue] = Self.string(p, s, e) }
                first = false
            }
        } else if p[m.valueStart] == 0x7B {
            scanObject(m, p)
        }
    }

    private mutating func scanObject(_ m: JSONMember, _ p: UnsafePointer<UInt8>) {
        let k = m.key
        if JSONScanner.keyIs(k, "user", p) {
            _ = JSONScanner.forEachMember(p, m.valueStart, m.valueEnd) { u in
                if JSONScanner.keyIs(u.key, "username", p) { set(.username, u, p) }
                else if JSONScanner.keyIs(u.key, "groups", p) {
                    _ = JSONScanner.forEachElement(p, u.valueStart, u.valueEnd) { s, e in
                        if let g = Self.string(p, s, e) { groups.append(g) }
                    }
                }
            }
        } else if JSONScanner.keyIs(k, "objectRef", p) {
            _ = JSONScanner.forEachMember(p, m.valueStart, m.valueEnd) { o in
                if JSONScanner.keyIs(o.key, "namespace", p) { set(.namespace, o, p) }
                else if JSONScanner.keyIs(o.key, "resource", p) { set(.resource, o, p) }
                else if JSONScanner.keyIs(o.key, "subresource", p) { set(.subresource, o, p) }
                else if JSONScanner.keyIs(o.key, "name", p) { set(.name, o, p) }
                else if JSONScanner.keyIs(o.key, "apiGroup", p) { set(.apiGroup, o, p) }
            }
        } else if JSONScanner.keyIs(k, "responseStatus", p) {
            _ = JSONScanner.forEachMember(p, m.valueStart, m.valueEnd) { r in
                if JSONScanner.keyIs(r.key, "code", p) { code = Self.integer(p, r.valueStart, r.valueEnd) ?? 0 }
            }
        } else if JSONScanner.keyIs(k, "annotations", p) {
            _ = JSONScanner.forEachMember(p, m.valueStart, m.valueEnd) { a in
                if JSONScanner.keyIs(a.key, "authorization.k8s.io/decision", p) { set(.decision, a, p) }
            }
        }
    }

    private static func string(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> JSONString? {
        JSONScanner.string(p, JSONMember(keyStart: s, key: JSONString(start: s, end: s, escaped: false), valueStart: s, valueEnd: e))
    }

    /// A JSON integer that fits an Int32 column; nil for anything else.
    private static func integer(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Int64? {
        var i = s, negative = false, v: Int64 = 0
        if i < e && p[i] == 0x2D { negative = true; i += 1 }
        guard i < e, e - i <= 10 else { return nil }
        while i < e {
            guard p[i] >= 0x30 && p[i] <= 0x39 else { return nil }
            v = v * 10 + Int64(p[i] - 0x30)
            i += 1
        }
        v = negative ? -v : v
        return Int64(Int32.min)...Int64(Int32.max) ~= v ? v : nil
    }

    /// Microseconds since the epoch of an RFC 3339 time; 0 when absent or unreadable.
    static func micros(_ s: JSONString?, _ p: UnsafePointer<UInt8>) -> Int64 {
        guard let s, !s.escaped else { return 0 }
        return RFC3339.nanoseconds(UnsafeRawBufferPointer(start: p + s.start, count: s.count)).map { $0 / 1000 } ?? 0
    }
}
