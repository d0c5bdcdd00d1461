import TailshipTestSupport

/// Random audit policies over the generator's vocabulary, most led by a `resourceNames` rule
/// (the case where the URL's name and objectRef's differ), written as YAML.
struct RandomPolicyGenerator {
    var random: SplitMix64

    mutating func pick<T>(_ list: [T]) -> T { list[random.below(list.count)] }
    mutating func some<T>(_ list: [T], max: Int = 2) -> [T] { (0...random.below(max)).map { _ in pick(list) } }

    mutating func policy() -> String {
        var rules: [String] = []
        if random.below(10) < 8 { rules.append(namedRule()) }
        for _ in 0..<random.below(4) { rules.append(random.below(3) == 0 ? namedRule() : rule()) }
        if random.below(2) == 0 || rules.isEmpty { rules.append("- level: \(pick(["Metadata", "Request"]))") }
        var head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n"
        if random.below(4) == 0 { head += "omitStages: [RequestReceived]\n" }
        return head + "rules:\n" + rules.joined(separator: "\n") + "\n"
    }

    /// A rule on named objects, maybe narrowed by verbs or namespaces.
    mutating func namedRule() -> String {
        let kind = pick(ApiserverEventGenerator.kinds)
        var resource = kind.resource
        if !kind.subresources.isEmpty && random.below(3) == 0 { resource += "/" + pick(kind.subresources + ["*"]) }
        var parts = ["level: \(pick(["None", "Metadata", "RequestResponse"]))",
                     "resources: [{group: \"\(kind.group)\", resources: [\"\(resource)\"], resourceNames: [\(quoted(some(ApiserverEventGenerator.names)))]}]"]
        if random.below(3) == 0 { parts.append("verbs: [\(quoted(some(ApiserverEventGenerator.verbs, max: 3)))]") }
        if random.below(4) == 0 { parts.append("namespaces: [\(quoted(some(ApiserverEventGenerator.namespaces + [""])))]") }
        return "- {" + parts.joined(separator: ", ") + "}"
    }

    /// Any other kind of rule.
    mutating func rule() -> String {
        var parts = ["level: \(pick(["None", "Metadata", "Request", "RequestResponse"]))"]
        switch random.below(5) {
        case 0: parts.append("users: [\(quoted(some(ApiserverEventGenerator.users.map(\.0))))]")
        case 1: parts.append("userGroups: [\(quoted(some(["system:authenticated", "system:nodes", "dev"])))]")
        case 2: parts.append("nonResourceURLs: [\(quoted(some(["/healthz", "/livez*", "/version", "*"])))]")
        case 3: parts.append("namespaces: [\(quoted(some(ApiserverEventGenerator.namespaces + [""])))]")
        default:
            let kind = pick(ApiserverEventGenerator.kinds)
            parts.append("resources: [{group: \"\(kind.group)\", resources: [\(quoted([kind.resource, kind.resource + "/*", "*/status"].shuffled(using: &random).prefix(2).map { $0 }))]}]")
        }
        if random.below(3) == 0 { parts.append("verbs: [\(quoted(some(ApiserverEventGenerator.verbs, max: 3)))]") }
        if random.below(5) == 0 { parts.append("omitStages: [ResponseStarted]") }
        return "- {" + parts.joined(separator: ", ") + "}"
    }

    func quoted(_ values: [String]) -> String { values.map { "\"\($0)\"" }.joined(separator: ", ") }
}
