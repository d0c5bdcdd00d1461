import TailshipJSON
import TailshipBasics

/// One `JSONEachRow` row for an audit event line, with the columns of `ClickHouseSchema`,
/// read by the audit field scanner (`EventFields`, no decoding of the event). String values are copied still
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
        guard n > 0, let f = EventFields.scan(p, n) else { return }
        let values: [(Field, JSONString?)] = [
            (.auditID, f.auditID), (.stage, f.stage), (.level, f.level), (.verb, f.verb), (.requestURI, f.requestURI),
            (.username, f.username), (.sourceIP, f.sourceIP), (.userAgent, f.userAgent), (.namespace, f.namespace),
            (.resource, f.resource), (.subresource, f.subresource), (.name, f.name), (.apiGroup, f.apiGroup),
            (.decision, f.authorizationDecision),
        ]
        for (field, value) in values { strings[field.rawValue] = value }
        _ = f.anyGroup(p, n) { g in
            groups.append(g)
            return false
        }
        code = f.responseCodeValue.flatMap { Self.integer(p, $0.lowerBound, $0.upperBound) } ?? 0
        requestReceived = f.requestReceivedTimestamp
        stageTime = f.stageTimestamp
        legacyTimestamp = f.timestamp
        // Strictly valid JSON too: its strings are copied into the row as they are.
        isAuditEvent = f.auditID != nil && JSONValidator.isObject(p, n)
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
