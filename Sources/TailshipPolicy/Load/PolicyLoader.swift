import Foundation
import Yams

/// Reads a policy (YAML or JSON, audit.k8s.io/v1 or v1beta1) and validates it
/// as kube-apiserver does, collecting every problem with its field path.
/// Unknown fields are refused too: a misspelt `verb:` would otherwise widen a rule silently.
public enum PolicyLoader {
    public static let apiVersions = ["audit.k8s.io/v1", "audit.k8s.io/v1beta1"]

    public static func load(path: String) throws -> AuditPolicy {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PolicyError(file: path, ["cannot read the file: \(error.localizedDescription)"])
        }
        do {
            return try parse(text)
        } catch var e as PolicyError {
            e.file = path
            throw e
        }
    }

    public static func parse(_ text: String) throws -> AuditPolicy {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw PolicyError(["not valid YAML or JSON: \(error)"])
        }
        guard let root, case .mapping(let mapping) = root else {
            throw PolicyError(["the file must hold one Policy object"])
        }
        var reader = NodeReader()
        let policy = reader.policy(mapping)
        if !reader.errors.isEmpty { throw PolicyError(reader.errors) }
        return policy
    }
}

/// Walks the YAML tree, recording errors instead of stopping at the first.
struct NodeReader {
    var errors: [String] = []

    mutating func policy(_ m: Node.Mapping) -> AuditPolicy {
        var policy = AuditPolicy(rules: [])
        var sawRules = false
        var apiVersion: String?
        var kind: String?
        for (keyNode, value) in m {
            let key = keyNode.string ?? ""
            switch key {
            case "apiVersion": apiVersion = string(value, "apiVersion")
            case "kind": kind = string(value, "kind")
            case "metadata": break
            case "omitStages": policy.omitStages = stages(value, "omitStages")
            case "omitManagedFields": policy.omitManagedFields = bool(value, "omitManagedFields") ?? false
            case "rules":
                sawRules = true
                guard case .sequence(let seq) = value else {
                    if value.null == nil { errors.append("rules: must be a list") }
                    continue
                }
                for (i, ruleNode) in seq.enumerated() {
                    guard case .mapping(let rm) = ruleNode else {
                        errors.append("rules[\(i)]: must be a mapping")
                        continue
                    }
                    if let rule = rule(rm, "rules[\(i)]") { policy.rules.append(rule) }
                }
            default: errors.append("\(key): unknown field (Policy has apiVersion, kind, metadata, rules, omitStages, omitManagedFields)")
            }
        }
        if let apiVersion {
            if !PolicyLoader.apiVersions.contains(apiVersion) {
                errors.append("apiVersion: must be audit.k8s.io/v1 or audit.k8s.io/v1beta1, not \"\(apiVersion)\"")
            } else {
                policy.apiVersion = apiVersion
            }
        } else {
            errors.append("apiVersion: required (audit.k8s.io/v1 or audit.k8s.io/v1beta1)")
        }
        if let kind {
            if kind != "Policy" { errors.append("kind: must be Policy, not \"\(kind)\"") }
        } else {
            errors.append("kind: required (Policy)")
        }
        if policy.rules.isEmpty && errors.isEmpty {
            errors.append(sawRules ? "rules: a policy with no rules records nothing; give at least one rule" : "rules: required, with at least one rule")
        }
        return policy
    }

    mutating func rule(_ m: Node.Mapping, _ path: String) -> PolicyRule? {
        var rule = PolicyRule(level: .none)
        var level: String?
        let before = errors.count
        for (keyNode, value) in m {
            let key = keyNode.string ?? ""
            let field = "\(path).\(key)"
            switch key {
            case "level": level = string(value, field)
            case "users": rule.users = strings(value, field)
            case "userGroups": rule.userGroups = strings(value, field)
            case "verbs": rule.verbs = strings(value, field)
            case "namespaces": rule.namespaces = strings(value, field)
            case "nonResourceURLs":
                rule.nonResourceURLs = strings(value, field)
                for (i, url) in rule.nonResourceURLs.enumerated() where url != "*" {
                    if !url.hasPrefix("/") { errors.append("\(field)[\(i)]: must start with \"/\" (or be exactly \"*\"), not \"\(url)\"") }
                    if url.dropLast().contains("*") { errors.append("\(field)[\(i)]: \"*\" may only be the last character, in \"\(url)\"") }
                }
            case "resources":
                guard case .sequence(let seq) = value else {
                    if value.null == nil { errors.append("\(field): must be a list") }
                    continue
                }
                for (i, node) in seq.enumerated() {
                    if let gr = groupResources(node, "\(field)[\(i)]") { rule.resources.append(gr) }
                }
            case "omitStages": rule.omitStages = stages(value, field)
            case "omitManagedFields": rule.omitManagedFields = bool(value, field)
            default:
                errors.append("\(field): unknown field (a rule has level, users, userGroups, verbs, resources, namespaces, nonResourceURLs, omitStages, omitManagedFields)")
            }
        }
        if let level {
            if let l = AuditLevel(name: level) {
                rule.level = l
            } else {
                errors.append("\(path).level: must be one of None, Metadata, Request, RequestResponse, not \"\(level)\"")
            }
        } else {
            errors.append("\(path).level: required (None, Metadata, Request or RequestResponse)")
        }
        if !rule.nonResourceURLs.isEmpty && (!rule.resources.isEmpty || !rule.namespaces.isEmpty) {
            errors.append("\(path).nonResourceURLs: a rule cannot apply to both resources or namespaces and non-resource URLs")
        }
        return errors.count == before ? rule : nil
    }

    mutating func groupResources(_ node: Node, _ path: String) -> GroupResources? {
        guard case .mapping(let m) = node else {
            errors.append("\(path): must be a mapping with group, resources and resourceNames")
            return nil
        }
        var gr = GroupResources(group: "")
        for (keyNode, value) in m {
            let key = keyNode.string ?? ""
            let field = "\(path).\(key)"
            switch key {
            case "group": gr.group = value.null != nil ? "" : (string(value, field) ?? "")
            case "resources": gr.resources = strings(value, field)
            case "resourceNames": gr.resourceNames = strings(value, field)
            default: errors.append("\(field): unknown field (a resources entry has group, resources, resourceNames)")
            }
        }
        // The apiserver has no wildcard group: "*" fails this check there too.
        if !gr.group.isEmpty && !Self.isDNSSubdomain(gr.group) {
            errors.append("\(path).group: \"\(gr.group)\" is not an API group name (lower-case DNS subdomain, without a version: rbac.authorization.k8s.io, not rbac.authorization.k8s.io/v1)")
        }
        if !gr.resourceNames.isEmpty && gr.resources.isEmpty {
            errors.append("\(path).resourceNames: using resourceNames requires at least one resource in resources")
        }
        return gr
    }

    mutating func stages(_ node: Node, _ field: String) -> StageSet {
        var set = StageSet()
        for (i, name) in strings(node, field).enumerated() {
            if let s = AuditStage(name: name) {
                set.insert(s)
            } else {
                errors.append("\(field)[\(i)]: must be one of RequestReceived, ResponseStarted, ResponseComplete, Panic, not \"\(name)\"")
            }
        }
        return set
    }

    mutating func strings(_ node: Node, _ field: String) -> [String] {
        switch node {
        case .sequence(let seq):
            var out: [String] = []
            for (i, item) in seq.enumerated() {
                if let s = string(item, "\(field)[\(i)]") { out.append(s) }
            }
            return out
        case .scalar where node.null != nil:
            return []
        default:
            errors.append("\(field): must be a list of strings")
            return []
        }
    }

    mutating func string(_ node: Node, _ field: String) -> String? {
        guard case .scalar(let s) = node else {
            errors.append("\(field): must be a string")
            return nil
        }
        return s.string
    }

    mutating func bool(_ node: Node, _ field: String) -> Bool? {
        guard let b = node.bool else {
            errors.append("\(field): must be true or false")
            return nil
        }
        return b
    }

    /// RFC 1123 subdomain, as Kubernetes checks API group names.
    static func isDNSSubdomain(_ s: String) -> Bool {
        guard s.utf8.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let u = Array(label.utf8)
            guard let first = u.first, let last = u.last, u.count <= 63 else { return false }
            let ok: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
            return ok(first) && ok(last) && u.allSatisfy { ok($0) || $0 == 0x2D }
        }
    }
}
