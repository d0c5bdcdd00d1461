import Logging
import Prometheus
import TailshipJSON
import TailshipPolicy
import TailshipTail

/// Counts API requests from the audit events themselves (`audit_metrics`):
/// requests by verb, resource and status class, request durations, 401s and
/// 403s, writes, and writes inside freeze windows; and per-user counts for
/// /audit/top. Only ResponseComplete and Panic events count, so that each
/// request counts once. Labels are bounded: verbs and resources outside the
/// known sets become `other`. Used on the reader thread only.
final class AuditMetrics {
    let settings: AuditInsightsSettings
    let topUsers: TopUsers
    private let registry: PrometheusCollectorRegistry
    private let logger: Logger
    private var requests: [RequestKey: Prometheus.Counter] = [:]
    private var writes: [String: Prometheus.Counter] = [:]
    private var freezes: [String: Prometheus.Counter] = [:]
    private var durations: [String: Prometheus.ValueHistogram] = [:]
    private let authnFailures: Prometheus.Counter
    private let authzDenials: Prometheus.Counter

    struct RequestKey: Hashable {
        var verb: String
        var resource: String
        var codeClass: String
    }

    static let verbs: Set<String> = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
                                     "post", "put", "head", "options", "connect", "proxy"]
    static let writeVerbs: Set<String> = ["create", "update", "patch", "delete", "deletecollection"]
    static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    init(settings: AuditInsightsSettings, registry: PrometheusCollectorRegistry, topUsers: TopUsers, logger: Logger) {
        self.settings = settings
        self.registry = registry
        self.topUsers = topUsers
        self.logger = logger
        authnFailures = registry.makeCounter(descriptor: DaemonMetrics.describe(
            "tailship_audit_authn_failures_total", "Requests the API server answered 401 (authentication failed)."))
        authzDenials = registry.makeCounter(descriptor: DaemonMetrics.describe(
            "tailship_audit_authz_denials_total", "Requests denied by authorization: 403, or authorization.k8s.io/decision forbid."))
    }

    /// Observes one scanned audit event.
    func observe(_ f: EventFields, _ p: UnsafePointer<UInt8>) {
        guard f.isEvent, let stage = f.stage, stage.equals(Self.responseComplete, in: p) || stage.equals(Self.panic, in: p) else { return }
        let verbName = f.verb.map { String(decoding: $0.decoded(in: p), as: UTF8.self) } ?? ""
        let verb = Self.verbs.contains(verbName) ? verbName : "other"
        let resource = resourceLabel(f, p)
        let code = f.responseCode
        let codeClass = code.map { (200..<600).contains($0) ? "\($0 / 100)xx" : "unknown" } ?? "unknown"
        let key = RequestKey(verb: verb, resource: resource, codeClass: codeClass)
        let counter = requests[key] ?? make(&requests, key, "tailship_audit_requests_total",
            "API requests seen in the audit log (ResponseComplete and Panic events) by verb, resource and status class.",
            [("verb", verb), ("resource", resource), ("code_class", codeClass)])
        counter.increment()

        let received = f.requestReceivedTimestamp.flatMap { s in nanoseconds(s, p) }
        if verb != "watch", let received, let staged = f.stageTimestamp.flatMap({ nanoseconds($0, p) }), staged >= received {
            let histogram = durations[verb] ?? {
                let h = registry.makeValueHistogram(
                    descriptor: DaemonMetrics.describe("tailship_audit_request_duration_seconds",
                                                       "stageTimestamp minus requestReceivedTimestamp, by verb (watch left out: long-running)."),
                    labels: [("verb", verb)], buckets: Self.durationBuckets)
                durations[verb] = h
                return h
            }()
            histogram.record(Double(staged - received) / 1e9)
        }
        let forbidden = code == 403 || (f.authorizationDecision?.equals(Self.forbid, in: p) ?? false)
        if code == 401 { authnFailures.increment() }
        if forbidden { authzDenials.increment() }

        let user = f.username.map { String(decoding: $0.decoded(in: p), as: UTF8.self) } ?? "(none)"
        topUsers.record(user: user, failed: code == 401 || forbidden, now: Double(UTCTime.nowNanoseconds()) / 1e9)

        guard Self.writeVerbs.contains(verb) else { return }
        let write = writes[resource] ?? make(&writes, resource, "tailship_audit_writes_total",
            "Write requests (create, update, patch, delete, deletecollection) by resource.", [("resource", resource)])
        write.increment()
        guard !settings.freezeWindows.isEmpty, let received else { return }
        let namespace = f.namespace.map { String(decoding: $0.decoded(in: p), as: UTF8.self) }
        for window in settings.freezeWindows where window.contains(received: received, namespace: namespace) {
            let violation = freezes[resource] ?? make(&freezes, resource, "tailship_audit_freeze_violations_total",
                "Write requests received inside a configured freeze window, by resource.", [("resource", resource)])
            violation.increment()
            func text(_ s: JSONString?) -> String { s.map { String(decoding: $0.decoded(in: p), as: UTF8.self) } ?? "" }
            logger.warning("write during a freeze window", metadata: [
                "user": "\(user)", "verb": "\(verb)", "resource": "\(text(f.resource))", "namespace": "\(namespace ?? "")",
                "name": "\(text(f.name))", "status": "\(code.map(String.init) ?? "-")", "audit_id": "\(text(f.auditID))",
                "received": "\(text(f.requestReceivedTimestamp))", "window": "\(window.label)",
            ])
            break
        }
    }

    /// The resource name if its group's list has it; `nonresource` without objectRef; else `other`.
    private func resourceLabel(_ f: EventFields, _ p: UnsafePointer<UInt8>) -> String {
        guard f.hasObjectRef, let r = f.resource else { return "nonresource" }
        let group = f.apiGroup.map { String(decoding: $0.decoded(in: p), as: UTF8.self) } ?? ""
        let name = String(decoding: r.decoded(in: p), as: UTF8.self)
        return settings.resources[group]?.contains(name) == true ? name : "other"
    }

    private func nanoseconds(_ s: JSONString, _ p: UnsafePointer<UInt8>) -> Int64? {
        RFC3339.nanoseconds(UnsafeRawBufferPointer(start: p + s.start, count: s.count))
    }

    private func make<K: Hashable>(_ cache: inout [K: Prometheus.Counter], _ key: K, _ name: String, _ help: String,
                                   _ labels: [(String, String)]) -> Prometheus.Counter {
        let counter = registry.makeCounter(descriptor: DaemonMetrics.describe(name, help), labels: labels)
        cache[key] = counter
        return counter
    }

    static let responseComplete = Array("ResponseComplete".utf8)
    static let panic = Array("Panic".utf8)
    static let forbid = Array("forbid".utf8)
}
