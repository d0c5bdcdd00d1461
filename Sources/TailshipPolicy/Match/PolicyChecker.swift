import TailshipJSON
/// kube-apiserver's policy rule evaluator over an event's scanned fields:
/// rules in order, first match wins, no match is level None.
public struct PolicyChecker: Sendable {
    public let policy: AuditPolicy
    private let rules: [CompiledRule]
    private let fallback: PolicyDecision

    public init(_ policy: AuditPolicy) {
        self.policy = policy
        rules = policy.rules.enumerated().map { CompiledRule($1, index: $0, policy: policy) }
        fallback = PolicyDecision(level: .none, omitStages: policy.omitStages, omitManagedFields: policy.omitManagedFields, rule: nil)
    }

    public func decide(_ f: EventFields, _ p: UnsafePointer<UInt8>, _ n: Int) -> PolicyDecision {
        var target: RequestTarget?
        for rule in rules where matches(rule, f, p, n, &target) {
            return rule.decision
        }
        return fallback
    }

    /// The namespace and name the apiserver evaluated the policy with: from `requestURI` as its
    /// RequestInfo parses it, or from `objectRef` when there is no URL to parse. Worked out on
    /// the first rule that needs them.
    static func target(_ f: EventFields, _ p: UnsafePointer<UInt8>, _ cache: inout RequestTarget?) -> RequestTarget {
        if let cache { return cache }
        let decoded = { (s: JSONString?) in withBytes(s, p) { Array($0) } }
        let parsed = f.requestURI.flatMap { RequestTarget.parse(uri: decoded($0), verb: decoded(f.verb)) }
        let t = parsed ?? RequestTarget(namespace: decoded(f.namespace), name: decoded(f.name))
        cache = t
        return t
    }

    private func matches(_ r: CompiledRule, _ f: EventFields, _ p: UnsafePointer<UInt8>, _ n: Int, _ target: inout RequestTarget?) -> Bool {
        if !r.users.isEmpty {
            guard f.hasUser else { return false }
            guard Self.contains(r.users, f.username, p) else { return false }
        }
        if !r.userGroups.isEmpty {
            guard f.hasUser, f.anyGroup(p, n, { g in r.userGroups.contains { g.equals($0, in: p) } }) else { return false }
        }
        if !r.verbs.isEmpty && !Self.contains(r.verbs, f.verb, p) { return false }
        if !r.namespaces.isEmpty || !r.resources.isEmpty {
            return matchesResource(r, f, p, &target)
        }
        if !r.nonResourceURLs.isEmpty {
            return matchesNonResource(r, f, p)
        }
        return true
    }

    private func matchesResource(_ r: CompiledRule, _ f: EventFields, _ p: UnsafePointer<UInt8>, _ target: inout RequestTarget?) -> Bool {
        guard f.hasObjectRef else { return false }
        // A cluster-scoped object has no namespace: it matches "".
        if !r.namespaces.isEmpty && !r.namespaces.contains(Self.target(f, p, &target).namespace) { return false }
        if r.resources.isEmpty { return true }
        let name = r.resources.contains { !$0.resourceNames.isEmpty } ? Self.target(f, p, &target).name : []
        return Self.withBytes(f.resource, p) { resource in
            Self.withBytes(f.subresource, p) { subresource in
                for gr in r.resources {
                    if !Self.equals(f.apiGroup, gr.group, p) { continue }
                    if gr.resources.isEmpty { return true }
                    if !gr.resourceNames.isEmpty && !gr.resourceNames.contains(name) { continue }
                    for res in gr.resources where Self.resourceMatches(res, resource, subresource) {
                        return true
                    }
                }
                return false
            }
        }
    }

    /// `*`, `resource`, `resource/subresource`, `*/subresource`, and `resource/*` (which also matches the bare resource).
    static func resourceMatches(_ pattern: [UInt8], _ resource: UnsafeBufferPointer<UInt8>, _ subresource: UnsafeBufferPointer<UInt8>) -> Bool {
        let slash: UInt8 = 0x2F, star: UInt8 = 0x2A
        let r = resource.count, s = subresource.count
        return pattern.withUnsafeBufferPointer { pat in
            if pat.count == 1 && pat[0] == star { return true }
            if s == 0 {
                if pat.elementsEqual(resource) { return true }
            } else if pat.count == r + 1 + s, pat[r] == slash,
                      UnsafeBufferPointer(rebasing: pat[..<r]).elementsEqual(resource),
                      UnsafeBufferPointer(rebasing: pat[(r + 1)...]).elementsEqual(subresource) {
                return true
            }
            if s > 0, pat.count == s + 2, pat[0] == star, pat[1] == slash, UnsafeBufferPointer(rebasing: pat[2...]).elementsEqual(subresource) {
                return true
            }
            if pat.count == r + 2, pat[r] == slash, pat[r + 1] == star, UnsafeBufferPointer(rebasing: pat[..<r]).elementsEqual(resource) {
                return true
            }
            return false
        }
    }

    private func matchesNonResource(_ r: CompiledRule, _ f: EventFields, _ p: UnsafePointer<UInt8>) -> Bool {
        guard !f.hasObjectRef else { return false }
        return Self.withBytes(f.requestURI, p) { uri in
            // The query string is not part of the path.
            let path = uri.firstIndex(of: 0x3F).map { UnsafeBufferPointer(rebasing: uri[..<$0]) } ?? uri
            for pattern in r.nonResourceURLs {
                switch pattern {
                case .any: return true
                case .exact(let s): if s.elementsEqual(path) { return true }
                case .prefix(let s): if path.starts(with: s) { return true }
                }
            }
            return false
        }
    }

    /// The decoded bytes of a string field ("" when absent), without copying unless it holds escapes.
    @inline(__always)
    static func withBytes<T>(_ s: JSONString?, _ p: UnsafePointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        guard let s else { return body(UnsafeBufferPointer(start: p, count: 0)) }
        if s.escaped { return s.decoded(in: p).withUnsafeBufferPointer(body) }
        return body(UnsafeBufferPointer(start: p + s.start, count: s.count))
    }

    @inline(__always)
    static func contains(_ list: [[UInt8]], _ value: JSONString?, _ p: UnsafePointer<UInt8>) -> Bool {
        // A missing field compares as "" (Go's zero value), as the apiserver sees it.
        guard let value else { return list.contains { $0.isEmpty } }
        return list.contains { value.equals($0, in: p) }
    }

    @inline(__always)
    static func equals(_ value: JSONString?, _ pattern: [UInt8], _ p: UnsafePointer<UInt8>) -> Bool {
        guard let value else { return pattern.isEmpty }
        return value.equals(pattern, in: p)
    }
}
