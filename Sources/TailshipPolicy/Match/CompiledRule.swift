/// A rule with its strings as bytes, so matching compares the line's bytes in place.
struct CompiledRule {
    struct Resources {
        /// Compared exactly, as the apiserver does ("" is the core group).
        var group: [UInt8]
        var resources: [[UInt8]]
        var resourceNames: [[UInt8]]
    }

    enum URLPattern {
        case any
        case exact([UInt8])
        case prefix([UInt8])
    }

    var users: [[UInt8]]
    var userGroups: [[UInt8]]
    var verbs: [[UInt8]]
    var namespaces: [[UInt8]]
    var resources: [Resources]
    var nonResourceURLs: [URLPattern]
    var decision: PolicyDecision

    init(_ rule: PolicyRule, index: Int, policy: AuditPolicy) {
        let bytes: ([String]) -> [[UInt8]] = { $0.map { Array($0.utf8) } }
        users = bytes(rule.users)
        userGroups = bytes(rule.userGroups)
        verbs = bytes(rule.verbs)
        namespaces = bytes(rule.namespaces)
        resources = rule.resources.map {
            Resources(group: Array($0.group.utf8), resources: bytes($0.resources), resourceNames: bytes($0.resourceNames))
        }
        nonResourceURLs = rule.nonResourceURLs.map { url in
            if url == "*" { return .any }
            if url.hasSuffix("*") { return .prefix(Array(url.utf8.dropLast())) }
            return .exact(Array(url.utf8))
        }
        decision = PolicyDecision(level: rule.level, omitStages: rule.omitStages.union(policy.omitStages),
                                  omitManagedFields: rule.omitManagedFields ?? policy.omitManagedFields, rule: index)
    }
}
