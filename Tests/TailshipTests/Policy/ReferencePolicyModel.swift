import Foundation
import TailshipPolicy

/// A plain re-statement of kube-apiserver's policy checker over fully decoded
/// events (JSONSerialization), used as the oracle for the byte-level processor.
/// Namespace and name come from `ReferenceRequestInfo`, as the apiserver had them.
struct ReferencePolicyModel {
    let policy: AuditPolicy

    struct Decision: Equatable {
        var level: String
        var rule: Int?
        var omitStages: [String]
        var omitManagedFields: Bool
    }

    func decide(_ e: [String: Any]) -> Decision {
        for (i, r) in policy.rules.enumerated() where matches(r, e) {
            let stages = AuditStage.allCases.filter { r.omitStages.contains($0) || policy.omitStages.contains($0) }.map(\.name).sorted()
            return Decision(level: r.level.name, rule: i, omitStages: stages, omitManagedFields: r.omitManagedFields ?? policy.omitManagedFields)
        }
        return Decision(level: "None", rule: nil, omitStages: AuditStage.allCases.filter { policy.omitStages.contains($0) }.map(\.name).sorted(),
                        omitManagedFields: policy.omitManagedFields)
    }

    func matches(_ r: PolicyRule, _ e: [String: Any]) -> Bool {
        let user = e["user"] as? [String: Any]
        if !r.users.isEmpty {
            guard let user, r.users.contains(user["username"] as? String ?? "") else { return false }
        }
        if !r.userGroups.isEmpty {
            guard let groups = user?["groups"] as? [String], groups.contains(where: r.userGroups.contains) else { return false }
        }
        if !r.verbs.isEmpty && !r.verbs.contains(e["verb"] as? String ?? "") { return false }
        let ref = e["objectRef"] as? [String: Any]
        if !r.namespaces.isEmpty || !r.resources.isEmpty {
            guard let ref else { return false }
            // What the apiserver evaluated with: the URL's RequestInfo; objectRef only without a URL.
            let info = (e["requestURI"] as? String).flatMap { ReferenceRequestInfo.parse(requestURI: $0, verb: e["verb"] as? String ?? "") }
                ?? ReferenceRequestInfo(namespace: ref["namespace"] as? String ?? "", name: ref["name"] as? String ?? "")
            if !r.namespaces.isEmpty && !r.namespaces.contains(info.namespace) { return false }
            if r.resources.isEmpty { return true }
            let group = ref["apiGroup"] as? String ?? ""
            let resource = ref["resource"] as? String ?? ""
            let sub = ref["subresource"] as? String ?? ""
            let combined = sub.isEmpty ? resource : "\(resource)/\(sub)"
            let name = info.name
            for gr in r.resources where gr.group == group {
                if gr.resources.isEmpty { return true }
                if !gr.resourceNames.isEmpty && !gr.resourceNames.contains(name) { continue }
                for res in gr.resources {
                    if res == "*" || res == combined { return true }
                    if !sub.isEmpty && res == "*/\(sub)" { return true }
                    if res == "\(resource)/*" { return true }
                }
            }
            return false
        }
        if !r.nonResourceURLs.isEmpty {
            guard ref == nil else { return false }
            let uri = e["requestURI"] as? String ?? ""
            let path = String(uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            return r.nonResourceURLs.contains { u in u == "*" || u == path || (u.hasSuffix("*") && path.hasPrefix(String(u.dropLast()))) }
        }
        return true
    }
}
