import TailshipJSON
/// Applies a policy to audit event lines, reducing only: drops, strips
/// request/response objects the decided level excludes, removes managed
/// fields, and leaves every other byte as it was. One per thread: it reuses
/// its buffers from line to line.
public final class PolicyProcessor {
    public let checker: PolicyChecker
    private var members: [JSONMember] = []
    private var edits: [ByteEdit] = []
    private var removed: [Int] = []
    /// The reduced line after a `.reduce` verdict, until the next call.
    public private(set) var output: [UInt8] = []
    /// The fields of the last line, if it was a JSON object (for audit metrics and enrichment).
    public private(set) var lastFields: EventFields?
    /// Top-level members of the last line.
    public var lastMemberCount: Int { members.count }

    public init(policy: AuditPolicy) {
        checker = PolicyChecker(policy)
        members.reserveCapacity(32)
    }

    public var policy: AuditPolicy { checker.policy }

    public func process(_ line: UnsafeRawBufferPointer) -> PolicyVerdict {
        let n = line.count
        lastFields = nil
        guard n > 0, let base = line.baseAddress else { return PolicyVerdict(action: .invalid) }
        let p = base.assumingMemoryBound(to: UInt8.self)
        lastFields = EventFields.scan(p, n, members: &members)
        guard let f = lastFields, f.isEvent else {
            return PolicyVerdict(action: .invalid)
        }
        let d = checker.decide(f, p, n)
        var verdict = PolicyVerdict(action: .keep, decision: d, auditID: f.auditID, stage: f.stage)
        if d.level == .none {
            verdict.action = .drop
            return verdict
        }
        if let stage = f.stage.flatMap({ AuditStage(bytes: $0, in: p) }), d.omitStages.contains(stage) {
            verdict.action = .drop
            return verdict
        }
        edits.removeAll(keepingCapacity: true)
        // An event without a (known) level is treated as recording everything.
        let eventLevel = f.level.flatMap { AuditLevel(bytes: $0, in: p) } ?? .requestResponse
        var keepRequest = f.requestObjectMember
        var keepResponse = f.responseObjectMember
        if d.level < eventLevel {
            removed.removeAll(keepingCapacity: true)
            if d.level < .requestResponse, let r = keepResponse { removed.append(r); keepResponse = nil }
            if d.level < .request, let r = keepRequest { removed.append(r); keepRequest = nil }
            if let l = f.levelMember { edits.append(ByteEdit(start: members[l].valueStart, end: members[l].valueEnd, level: d.level)) }
            removed.sort()
            ByteEdit.removing(removed, from: members, into: &edits)
        }
        if d.omitManagedFields {
            for index in [keepRequest, keepResponse] {
                guard let index else { continue }
                removeManagedFields(p, members[index].valueStart, members[index].valueEnd, items: true)
            }
        }
        guard !edits.isEmpty else { return verdict }
        edits.sort { $0.start < $1.start }
        ByteEdit.apply(edits, to: p, n, into: &output)
        verdict.action = .reduce
        return verdict
    }

    /// Removes `metadata.managedFields` from the object at `start`, and from
    /// each object in its `items` list (as the apiserver does for lists).
    private func removeManagedFields(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, items: Bool) {
        guard p[start] == 0x7B else { return }
        var metadata: [Int] = []
        var itemsStart: Int?
        _ = JSONScanner.forEachMember(p, start, end) { m in
            if p[m.valueStart] == 0x7B && JSONScanner.keyIs(m.key, "metadata", p) { metadata.append(m.valueStart) }
            else if items && p[m.valueStart] == 0x5B && JSONScanner.keyIs(m.key, "items", p) { itemsStart = m.valueStart }
        }
        for m in metadata {
            var inner: [JSONMember] = []
            var removed: [Int] = []
            _ = JSONScanner.forEachMember(p, m, end) { member in
                if JSONScanner.keyIs(member.key, "managedFields", p) { removed.append(inner.count) }
                inner.append(member)
            }
            ByteEdit.removing(removed, from: inner, into: &edits)
        }
        if let itemsStart {
            _ = JSONScanner.forEachElement(p, itemsStart, end) { s, e in
                removeManagedFields(p, s, e, items: false)
            }
        }
    }
}

extension AuditLevel {
    init?(bytes s: JSONString, in p: UnsafePointer<UInt8>) {
        guard let level = Self.allCases.first(where: { s.equals(Self.names[$0.rawValue], in: p) }) else { return nil }
        self = level
    }

    static let names = allCases.map { Array($0.name.utf8) }
}

extension AuditStage {
    init?(bytes s: JSONString, in p: UnsafePointer<UInt8>) {
        guard let stage = Self.allCases.first(where: { s.equals(Self.names[$0.rawValue], in: p) }) else { return nil }
        self = stage
    }

    static let names = allCases.map { Array($0.name.utf8) }
}
