/// The fields of an audit event that the policy, the audit metrics and the
/// output formats read, found in one pass over the line's bytes: the one audit
/// field scanner. Everything else is skipped, not decoded.
public struct EventFields {
    public var isEvent = false
    public var level: JSONString?
    public var stage: JSONString?
    public var auditID: JSONString?
    public var verb: JSONString?
    public var requestURI: JSONString?
    /// `user` is an object.
    public var hasUser = false
    public var username: JSONString?
    /// Start of the `user.groups` array value, walked only when a rule asks.
    public var groupsStart: Int?
    /// `objectRef` is an object: a resource request.
    public var hasObjectRef = false
    public var apiGroup: JSONString?
    public var namespace: JSONString?
    public var resource: JSONString?
    public var subresource: JSONString?
    public var name: JSONString?
    /// Indices into the member list.
    public var levelMember: Int?
    public var requestObjectMember: Int?
    public var responseObjectMember: Int?
    /// For audit metrics and formats: `responseStatus.code`, the timestamps, and
    /// The first element of an array of strings.
    static func firstString(_ p: UnsafePointer<UInt8>, _ m: JSONMember) -> JSONString? {
        guard p[m.valueStart] == 0x5B else { return nil }
        var first: JSONString?
        var seen = false
        _ = JSONScanner.forEachElement(p, m.valueStart, m.valueEnd) { s, e in
            defer { seen = true }
            guard !seen, p[s] == 0x22 else { return }
            var escaped = false
            _ = JSONScanner.skipString(p, s, e, &escaped)
            first = JSONString(start: s + 1, end: e - 1, escaped: escaped)
        }
        return first
    }

    /// `annotations["authorization.k8s.io/decision"]`.
    public var responseCode: Int?
    /// Where the value of `responseStatus.code` is, for formats that read it strictly.
    public var responseCodeValue: Range<Int>?
    /// `timestamp`: what audit.k8s.io/v1alpha1 and early v1beta1 events have instead of the two below.
    public var timestamp: JSONString?
    public var requestReceivedTimestamp: JSONString?
    public var stageTimestamp: JSONString?
    public var authorizationDecision: JSONString?
    /// The first of `sourceIPs`, and `userAgent`: who a 401 came from (its `user` is `{}`).
    public var sourceIP: JSONString?
    public var userAgent: JSONString?
    /// Index of a top-level `tailship` member (enrichment replaces none).
    public var tailshipMember: Int?

    public init() {}

    /// Scans `p[0..<n]`; fills `members` with every top-level member.
    /// nil when the line is not one JSON object.
    public static func scan(_ p: UnsafePointer<UInt8>, _ n: Int, members: inout [JSONMember]) -> EventFields? {
        members.removeAll(keepingCapacity: true)
        return scan(p, n) { members.append($0) }
    }

    /// Scans `p[0..<n]` without keeping the member list. nil when the line is not one JSON object.
    public static func scan(_ p: UnsafePointer<UInt8>, _ n: Int) -> EventFields? {
        scan(p, n) { _ in }
    }

    /// Whether `p[0..<n]` is framed as a JSON object: its first and last bytes other than
    /// blanks are `{` and `}`. It reads only the ends of the line (no structure): for NDJSON,
    /// whose lines are sent as they are, where checking every line's structure cost a tenth
    /// of the HTTP run's CPU only to count the lines that are not objects.
    public static func looksLikeObject(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let first = JSONScanner.skipSpace(p, 0, n)
        var last = n - 1
        while last > first, p[last] == 0x20 || p[last] == 0x09 || p[last] == 0x0D || p[last] == 0x0A { last -= 1 }
        return first < last && p[first] == 0x7B && p[last] == 0x7D
    }

    /// Whether `p[0..<n]` is one JSON object, as `scan` judges it, without reading any field.
    public static func isObject(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard n > 0 else { return false }
        let end = JSONScanner.forEachMember(p, JSONScanner.skipSpace(p, 0, n), n) { _ in }
        return end >= 0 && JSONScanner.skipSpace(p, end, n) == n
    }

    private static func scan(_ p: UnsafePointer<UInt8>, _ n: Int, member: (JSONMember) -> Void) -> EventFields? {
        var f = EventFields()
        var kindIsEvent = false
        var index = -1
        let start = JSONScanner.skipSpace(p, 0, n)
        let end = JSONScanner.forEachMember(p, start, n) { m in
            index += 1
            member(m)
            switch TopKey(m.key, p) {
            case .kind?: kindIsEvent = JSONScanner.string(p, m).map { $0.equals(Self.event, in: p) } ?? false
            case .verb?: f.verb = JSONScanner.string(p, m)
            case .user?: f.scanUser(p, m)
            case .level?:
                f.level = JSONScanner.string(p, m)
                f.levelMember = index
            case .stage?: f.stage = JSONScanner.string(p, m)
            case .auditID?: f.auditID = JSONScanner.string(p, m)
            case .objectRef?: f.scanObjectRef(p, m)
            case .requestURI?: f.requestURI = JSONScanner.string(p, m)
            case .requestObject?: f.requestObjectMember = index
            case .responseObject?: f.responseObjectMember = index
            case .responseStatus?: (f.responseCode, f.responseCodeValue) = Self.code(p, m)
            case .requestReceivedTimestamp?: f.requestReceivedTimestamp = JSONScanner.string(p, m)
            case .stageTimestamp?: f.stageTimestamp = JSONScanner.string(p, m)
            case .timestamp?: f.timestamp = JSONScanner.string(p, m)
            case .annotations?: f.authorizationDecision = Self.decision(p, m)
            case .sourceIPs?: f.sourceIP = Self.firstString(p, m)
            case .userAgent?: f.userAgent = JSONScanner.string(p, m)
            case .tailship?: f.tailshipMember = index
            case nil: break
            }
        }
        guard end >= 0, JSONScanner.skipSpace(p, end, n) == n else { return nil }
        f.isEvent = kindIsEvent
        return f
    }

    static let event = Array("Event".utf8)

    /// `responseStatus.code` as an integer, and where its value is.
    static func code(_ p: UnsafePointer<UInt8>, _ m: JSONMember) -> (Int?, Range<Int>?) {
        guard p[m.valueStart] == 0x7B else { return (nil, nil) }
        var code: Int?
        var range: Range<Int>?
        _ = JSONScanner.forEachMember(p, m.valueStart, m.valueEnd) { r in
            guard JSONScanner.keyIs(r.key, "code", p) else { return }
            range = r.valueStart..<r.valueEnd
            var value = 0
            var i = r.valueStart
            while i < r.valueEnd, p[i] >= 0x30, p[i] <= 0x39, value < 100_000 {
                value = value * 10 + Int(p[i] - 0x30)
                i += 1
            }
            if i > r.valueStart { code = value }
        }
        return (code, range)
    }

    /// `annotations["authorization.k8s.io/decision"]`.
    static func decision(_ p: UnsafePointer<UInt8>, _ m: JSONMember) -> JSONString? {
        guard p[m.valueStart] == 0x7B else { return nil }
        var found: JSONString?
        _ = JSONScanner.forEachMember(p, m.valueStart, m.valueEnd) { a in
            if JSONScanner.keyIs(a.key, "authorization.k8s.io/decision", p) { found = JSONScanner.string(p, a) }
        }
        return found
    }

    /// The top-level keys a policy and the audit metrics need.
    enum TopKey: String, CaseIterable {
        case kind, verb, user, level, stage, auditID, objectRef, requestURI, requestObject, responseObject
        case responseStatus, requestReceivedTimestamp, stageTimestamp, annotations, tailship, sourceIPs, userAgent, timestamp

        @inline(__always)
        init?(_ k: JSONString, _ p: UnsafePointer<UInt8>) {
            if k.escaped {
                // Written with escapes: rare, compared decoded.
                guard let key = Self(rawValue: String(decoding: k.decoded(in: p), as: UTF8.self)) else { return nil }
                self = key
                return
            }
            // Dispatch on length first: most keys are rejected without memcmp.
            switch k.count {
            case 4:
                if JSONScanner.keyIs(k, "kind", p) { self = .kind }
                else if JSONScanner.keyIs(k, "verb", p) { self = .verb }
                else if JSONScanner.keyIs(k, "user", p) { self = .user }
                else { return nil }
            case 5:
                if JSONScanner.keyIs(k, "level", p) { self = .level }
                else if JSONScanner.keyIs(k, "stage", p) { self = .stage }
                else { return nil }
            case 7 where JSONScanner.keyIs(k, "auditID", p): self = .auditID
            case 8 where JSONScanner.keyIs(k, "tailship", p): self = .tailship
            case 9:
                if JSONScanner.keyIs(k, "objectRef", p) { self = .objectRef }
                else if JSONScanner.keyIs(k, "sourceIPs", p) { self = .sourceIPs }
                else if JSONScanner.keyIs(k, "userAgent", p) { self = .userAgent }
                else if JSONScanner.keyIs(k, "timestamp", p) { self = .timestamp }
                else { return nil }
            case 10 where JSONScanner.keyIs(k, "requestURI", p): self = .requestURI
            case 11 where JSONScanner.keyIs(k, "annotations", p): self = .annotations
            case 13 where JSONScanner.keyIs(k, "requestObject", p): self = .requestObject
            case 14:
                if JSONScanner.keyIs(k, "responseObject", p) { self = .responseObject }
                else if JSONScanner.keyIs(k, "responseStatus", p) { self = .responseStatus }
                else if JSONScanner.keyIs(k, "stageTimestamp", p) { self = .stageTimestamp }
                else { return nil }
            case 24 where JSONScanner.keyIs(k, "requestReceivedTimestamp", p): self = .requestReceivedTimestamp
            default: return nil
            }
        }
    }

    private mutating func scanUser(_ p: UnsafePointer<UInt8>, _ m: JSONMember) {
        hasUser = false
        username = nil
        groupsStart = nil
        guard p[m.valueStart] == 0x7B else { return }
        hasUser = true
        var name: JSONString?
        var groups: Int?
        _ = JSONScanner.forEachMember(p, m.valueStart, m.valueEnd) { u in
            if JSONScanner.keyIs(u.key, "username", p) {
                name = JSONScanner.string(p, u)
            } else if JSONScanner.keyIs(u.key, "groups", p), p[u.valueStart] == 0x5B {
                groups = u.valueStart
            }
        }
        username = name
        groupsStart = groups
    }

    private mutating func scanObjectRef(_ p: UnsafePointer<UInt8>, _ m: JSONMember) {
        hasObjectRef = p[m.valueStart] == 0x7B
        apiGroup = nil; namespace = nil; resource = nil; subresource = nil; name = nil
        guard hasObjectRef else { return }
        var g, ns, r, s, nm: JSONString?
        _ = JSONScanner.forEachMember(p, m.valueStart, m.valueEnd) { o in
            let k = o.key
            if JSONScanner.keyIs(k, "apiGroup", p) { g = JSONScanner.string(p, o) }
            else if JSONScanner.keyIs(k, "namespace", p) { ns = JSONScanner.string(p, o) }
            else if JSONScanner.keyIs(k, "resource", p) { r = JSONScanner.string(p, o) }
            else if JSONScanner.keyIs(k, "subresource", p) { s = JSONScanner.string(p, o) }
            else if JSONScanner.keyIs(k, "name", p) { nm = JSONScanner.string(p, o) }
        }
        apiGroup = g; namespace = ns; resource = r; subresource = s; name = nm
    }

    /// Calls `body` with each string in `user.groups` until it returns true.
    public func anyGroup(_ p: UnsafePointer<UInt8>, _ n: Int, _ body: (JSONString) -> Bool) -> Bool {
        guard let start = groupsStart else { return false }
        var found = false
        _ = JSONScanner.forEachElement(p, start, n) { s, e in
            if !found, p[s] == 0x22 {
                var esc = false
                _ = JSONScanner.skipString(p, s, e, &esc)
                found = body(JSONString(start: s + 1, end: e - 1, escaped: esc))
            }
        }
        return found
    }
}
