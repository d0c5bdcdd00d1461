import TailshipBasics
import Foundation
import TailshipTail

/// `audit_metrics:` resolved.
public struct AuditInsightsSettings: Sendable, Equatable {
    /// Counted resources: group ("" for core) → resource names.
    public var resources: [String: Set<String>]
    /// Seconds /audit/top looks back.
    public var window: Double
    public var freezeWindows: [FreezeWindow]

    /// The core group and the API groups built into kube-apiserver.
    public static let builtInResources: [String: Set<String>] = [
        "": ["pods", "services", "endpoints", "configmaps", "secrets", "serviceaccounts", "namespaces", "nodes",
             "persistentvolumes", "persistentvolumeclaims", "events", "limitranges", "resourcequotas",
             "replicationcontrollers", "podtemplates", "bindings", "componentstatuses"],
        "apps": ["deployments", "replicasets", "statefulsets", "daemonsets", "controllerrevisions"],
        "batch": ["jobs", "cronjobs"],
        "autoscaling": ["horizontalpodautoscalers"],
        "policy": ["poddisruptionbudgets"],
        "networking.k8s.io": ["ingresses", "ingressclasses", "networkpolicies"],
        "rbac.authorization.k8s.io": ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
        "storage.k8s.io": ["storageclasses", "volumeattachments", "csidrivers", "csinodes", "csistoragecapacities"],
        "coordination.k8s.io": ["leases"],
        "discovery.k8s.io": ["endpointslices"],
        "certificates.k8s.io": ["certificatesigningrequests"],
        "admissionregistration.k8s.io": ["mutatingwebhookconfigurations", "validatingwebhookconfigurations",
                                         "validatingadmissionpolicies", "validatingadmissionpolicybindings"],
        "apiextensions.k8s.io": ["customresourcedefinitions"],
        "apiregistration.k8s.io": ["apiservices"],
        "scheduling.k8s.io": ["priorityclasses"],
        "node.k8s.io": ["runtimeclasses"],
        "authentication.k8s.io": ["tokenreviews", "selfsubjectreviews"],
        "authorization.k8s.io": ["subjectaccessreviews", "selfsubjectaccessreviews", "localsubjectaccessreviews",
                                 "selfsubjectrulesreviews"],
        "events.k8s.io": ["events"],
        "flowcontrol.apiserver.k8s.io": ["flowschemas", "prioritylevelconfigurations"],
    ]

    static func resolve(_ section: AuditMetricsSection?, monitoring: ResolvedConfig.Monitoring?) throws -> AuditInsightsSettings? {
        guard let section, section.enabled ?? false else { return nil }
        guard monitoring != nil else {
            throw ConfigError("audit_metrics", "needs the monitoring server (monitoring.listen) to publish its metrics")
        }
        var resources = builtInResources
        if let list = section.resources {
            resources = [:]
            for (i, entry) in list.enumerated() {
                let parts = entry.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                guard (parts.count == 1 || parts.count == 2), !parts.last!.isEmpty, parts.allSatisfy({ !$0.contains(" ") }) else {
                    throw ConfigError("audit_metrics.resources[\(i)]", "must be RESOURCE (core group) or GROUP/RESOURCE, not \"\(entry)\"")
                }
                resources[parts.count == 2 ? parts[0] : "", default: []].insert(parts.last!)
            }
        }
        let window = section.window ?? ConfigDefaults.auditMetricsWindow
        guard window >= .seconds(60) else { throw ConfigError("audit_metrics.window", "must be at least 1m") }
        var freezes: [FreezeWindow] = []
        for (i, w) in (section.freezeWindows ?? []).enumerated() {
            func time(_ value: String?, _ key: String) throws -> Int64 {
                guard let value else { throw ConfigError("audit_metrics.freeze_windows[\(i)].\(key)", "required (RFC 3339)") }
                guard let ns = Array(value.utf8).withUnsafeBytes({ RFC3339.nanoseconds($0) }) else {
                    throw ConfigError("audit_metrics.freeze_windows[\(i)].\(key)", "not an RFC 3339 time: \(value)")
                }
                return ns
            }
            let start = try time(w.start, "start"), end = try time(w.end, "end")
            guard end > start else { throw ConfigError("audit_metrics.freeze_windows[\(i)].end", "must be after start") }
            if let ns = w.namespaces, ns.isEmpty || ns.contains("") {
                throw ConfigError("audit_metrics.freeze_windows[\(i)].namespaces", "leave it out for every namespace; entries must not be empty")
            }
            freezes.append(FreezeWindow(start: start, end: end, namespaces: w.namespaces.map(Set.init), label: "\(w.start!)..\(w.end!)"))
        }
        return AuditInsightsSettings(resources: resources, window: window.inSeconds, freezeWindows: freezes)
    }
}

/// A change freeze: writes received inside it are violations.
public struct FreezeWindow: Sendable, Equatable {
    /// Nanoseconds since the epoch, start inclusive, end exclusive.
    public var start: Int64
    public var end: Int64
    public var namespaces: Set<String>?
    public var label: String

    func contains(received: Int64, namespace: String?) -> Bool {
        guard received >= start, received < end else { return false }
        guard let namespaces else { return true }
        return namespace.map(namespaces.contains) ?? false
    }
}
