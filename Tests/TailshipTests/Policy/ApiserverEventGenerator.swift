import Foundation
import TailshipTestSupport

/// Random audit events built the way kube-apiserver builds them: the URL, the verb and
/// `objectRef` agree (objectRef from RequestInfo), and a create's `objectRef.name` comes from
/// the body, not the URL. Lists and watches come with and without `fieldSelector`.
struct ApiserverEventGenerator {
    struct Kind {
        var group: String, version: String, resource: String, namespaced: Bool, subresources: [String]
    }

    static let kinds = [
        Kind(group: "", version: "v1", resource: "pods", namespaced: true, subresources: ["log", "exec", "status", "eviction"]),
        Kind(group: "", version: "v1", resource: "configmaps", namespaced: true, subresources: []),
        Kind(group: "", version: "v1", resource: "secrets", namespaced: true, subresources: []),
        Kind(group: "", version: "v1", resource: "nodes", namespaced: false, subresources: ["status"]),
        Kind(group: "", version: "v1", resource: "namespaces", namespaced: false, subresources: ["status", "finalize"]),
        Kind(group: "apps", version: "v1", resource: "deployments", namespaced: true, subresources: ["scale", "status"]),
        Kind(group: "coordination.k8s.io", version: "v1", resource: "leases", namespaced: true, subresources: []),
        Kind(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles", namespaced: false, subresources: []),
    ]
    static let names = ["controller-leader", "kube-scheduler", "web-0", "team-a", "a.b"]
    static let namespaces = ["kube-system", "default", "team-a"]
    static let users: [(String, [String])] = [
        ("alice", ["dev", "system:authenticated"]), ("system:kube-scheduler", ["system:authenticated"]),
        ("system:serviceaccount:kube-system:leader", ["system:serviceaccounts", "system:authenticated"]), ("system:node:n1", ["system:nodes"]),
    ]
    static let verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]

    var random: SplitMix64
    var count = 0

    mutating func pick<T>(_ list: [T]) -> T { list[random.below(list.count)] }
    mutating func chance(_ percent: Int) -> Bool { random.below(100) < percent }

    /// One event as a JSON line.
    mutating func event() -> String {
        count += 1
        var e: [String: Any] = ["kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "gen-\(count)",
                                "stage": pick(["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"])]
        let (user, groups) = pick(Self.users)
        e["user"] = ["username": user, "groups": groups]
        if chance(8) {
            e["verb"] = "get"
            e["requestURI"] = pick(["/healthz", "/version?timeout=32s", "/metrics", "/livez/etcd"])
            return Self.json(e)
        }
        let kind = pick(Self.kinds)
        // Creates are where the URL and objectRef disagree on the name: a quarter of them.
        let verb = chance(25) ? "create" : pick(Self.verbs)
        let (uri, ref) = request(kind, verb)
        e["verb"] = verb
        e["requestURI"] = uri
        e["objectRef"] = ref
        if chance(4) { e.removeValue(forKey: "requestURI") }
        return Self.json(e)
    }

    /// The URL and objectRef of one resource request.
    mutating func request(_ k: Kind, _ verb: String) -> (String, [String: Any]) {
        let base = k.group.isEmpty ? "/api/\(k.version)" : "/apis/\(k.group)/\(k.version)"
        let ns = pick(Self.namespaces), name = pick(Self.names)
        var ref: [String: Any] = ["resource": k.resource, "apiVersion": k.version]
        if !k.group.isEmpty { ref["apiGroup"] = k.group }
        if k.namespaced { ref["namespace"] = ns }
        let scope = k.namespaced ? "/namespaces/\(ns)" : ""
        let collection = k.resource == "namespaces" ? "\(base)/namespaces" : "\(base)\(scope)/\(k.resource)"
        var object = "\(collection)/\(name)"
        if k.resource == "namespaces" { ref["namespace"] = name }
        switch verb {
        case "get", "update", "patch", "delete", "create":
            let sub = !k.subresources.isEmpty && chance(40) ? pick(k.subresources) : nil
            if let sub {
                object += "/\(sub)"
                ref["subresource"] = sub
            }
            if verb == "create" && sub == nil {
                // The apiserver copies the body's name (and namespace) into objectRef after the policy ran.
                ref["name"] = name
                if k.resource == "namespaces" { ref.removeValue(forKey: "namespace") }
                return (collection, ref)
            }
            ref["name"] = name
            return (object + (chance(20) ? "?timeout=10s" : ""), ref)
        case "deletecollection":
            if k.resource == "namespaces" { ref.removeValue(forKey: "namespace") }
            return (collection + (chance(30) ? "?fieldSelector=metadata.name%3D\(name)" : ""), ref)
        default: // list, watch
            if k.resource == "namespaces" { ref.removeValue(forKey: "namespace") }
            if verb == "watch" && chance(30) {
                let prefixed = k.resource == "namespaces" ? "\(base)/watch/namespaces" : "\(base)/watch\(scope)/\(k.resource)"
                if chance(50) { ref["name"] = name; return ("\(prefixed)/\(name)", ref) }
                return (prefixed, ref)
            }
            let (selector, exact) = fieldSelector(name)
            if exact { ref["name"] = name }
            var query = selector.map { ["fieldSelector=\($0)"] } ?? []
            if verb == "watch" { query.append("watch=true") }
            if chance(30) { query.append("limit=500") }
            return (collection + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), ref)
        }
    }

    /// A fieldSelector parameter value, and whether it names `name` exactly.
    mutating func fieldSelector(_ name: String) -> (String?, Bool) {
        switch random.below(7) {
        case 0: return ("metadata.name%3D\(name)", true)
        case 1: return ("metadata.name=\(name)", true)
        case 2: return ("metadata.name%3D%3D\(name)", true)
        case 3: return ("metadata.name%21%3D\(name)", false)
        case 4: return ("status.phase%3DRunning%2Cmetadata.name%3D\(name)", true)
        case 5: return ("metadata.namespace%3Dx", false)
        default: return (nil, false)
        }
    }

    static func json(_ o: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), as: UTF8.self)
    }
}
