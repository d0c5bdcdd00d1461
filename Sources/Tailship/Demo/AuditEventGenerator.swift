import TailshipBasics
import Foundation
import TailshipTail

/// Makes realistic kube-apiserver audit events (one compact JSON object per
/// line, as the apiserver writes them), deterministically from a seed.
public struct AuditEventGenerator: Sendable {
    private var state: UInt64
    private var counter: UInt64 = 0

    public init(seed: UInt64 = 0x7a11_5b1f) {
        state = seed == 0 ? 1 : seed
    }

    private mutating func next() -> UInt64 {
        // xorshift64*: fast, repeatable, good enough for test data.
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    private mutating func pick<T>(_ options: [T]) -> T { options[Int(next() % UInt64(options.count))] }

    /// A UUID-shaped audit ID, unique per generator.
    public mutating func auditID() -> String {
        counter += 1
        let a = next(), b = next()
        let hex = String(format: "%08x-%04x-4%03x-%04x-%012llx", UInt32(truncatingIfNeeded: a >> 32), UInt16(truncatingIfNeeded: a >> 16),
                         UInt16(truncatingIfNeeded: a) & 0x0fff, UInt16(truncatingIfNeeded: b >> 48) & 0x3fff | 0x8000, counter)
        return hex
    }

    /// One event line without its newline.
    public mutating func event(at date: Date = Date()) -> String {
        let id = auditID()
        let (verb, resource, namespace, code): (String, String, String?, Int) = pick([
            ("get", "pods", "default", 200), ("list", "pods", "kube-system", 200), ("watch", "configmaps", "kube-system", 200),
            ("update", "leases", "kube-node-lease", 200), ("create", "events", "default", 201), ("patch", "nodes", nil, 200),
            ("get", "secrets", "monitoring", 403), ("delete", "pods", "batch-jobs", 200), ("list", "namespaces", nil, 200),
            ("create", "tokenreviews", nil, 201), ("get", "deployments", "web", 404), ("update", "endpointslices", "default", 409),
        ])
        let (user, groups, agent): (String, String, String) = pick([
            ("system:serviceaccount:kube-system:replicaset-controller", #"["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]"#,
             "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:replicaset-controller"),
            ("system:node:cp-1", #"["system:nodes","system:authenticated"]"#, "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46"),
            ("system:kube-scheduler", #"["system:authenticated"]"#, "kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46/leader-election"),
            ("alice@example.com", #"["oidc:platform-team","system:authenticated"]"#, "kubectl/v1.31.1 (linux/amd64) kubernetes/948afe5"),
            ("system:serviceaccount:monitoring:prometheus", #"["system:serviceaccounts","system:serviceaccounts:monitoring","system:authenticated"]"#,
             "Prometheus/2.54.1"),
        ])
        let name = "\(resource.dropLast())-\(String(next() % 100_000, radix: 36))"
        let group = ["deployments": "apps", "leases": "coordination.k8s.io", "endpointslices": "discovery.k8s.io",
                     "tokenreviews": "authentication.k8s.io"][resource]
        let apiVersion = "v1"
        let prefix = group.map { "/apis/\($0)/\(apiVersion)" } ?? "/api/v1"
        let nsPath = namespace.map { "/namespaces/\($0)" } ?? ""
        let uri = verb == "list" || verb == "watch" ? "\(prefix)\(nsPath)/\(resource)?limit=500&resourceVersion=0" : "\(prefix)\(nsPath)/\(resource)/\(name)"
        let received = Self.timestamp(date)
        let completed = Self.timestamp(date.addingTimeInterval(Double(next() % 40_000) / 1_000_000))
        let ip = "10.\(next() % 4).\(next() % 256).\(next() % 254 + 1)"
        var objectRef = #"{"resource":"\#(resource)""#
        if let namespace { objectRef += #","namespace":"\#(namespace)""# }
        if verb != "list" && verb != "watch" && verb != "create" { objectRef += #","name":"\#(name)""# }
        if let group { objectRef += #","apiGroup":"\#(group)""# }
        objectRef += #","apiVersion":"\#(apiVersion)"}"#
        let decision = code == 403 ? "forbid" : "allow"
        let reason = code == 403 ? "" : #"RBAC: allowed by ClusterRoleBinding \"system:controller:\#(resource)\" of ClusterRole \"system:controller\" to User \"\#(user)\""#
        var status = #"{"metadata":{},"code":\#(code)"#
        if code >= 400 { status += #","status":"Failure","reason":"\#(code == 403 ? "Forbidden" : code == 404 ? "NotFound" : "Conflict")""# }
        status += "}"
        return #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"\#(id)","stage":"ResponseComplete","requestURI":"\#(uri)","verb":"\#(verb)","user":{"username":"\#(user)","groups":\#(groups)},"sourceIPs":["\#(ip)"],"userAgent":"\#(agent)","objectRef":\#(objectRef),"responseStatus":\#(status),"requestReceivedTimestamp":"\#(received)","stageTimestamp":"\#(completed)","annotations":{"authorization.k8s.io/decision":"\#(decision)","authorization.k8s.io/reason":"\#(reason)"}}"#
    }

    static func timestamp(_ date: Date) -> String {
        let c = CivilTime(seconds: date.timeIntervalSince1970)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", c.year, c.month, c.day, c.hour, c.minute, c.second, c.microsecond)
    }
}
