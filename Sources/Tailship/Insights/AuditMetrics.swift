import TailshipBasics
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
    // Label values are looked up by index, without building strings per event:
    // verbs (known ones, then `other`), resources (allowed names, then `other`,
    // `nonresource`) and status classes; counters are made on first use.
    private let resourceNames: [String]
    private let resourceIndex: ResourceIndex
    private var requests: [Prometheus.Counter?]
    private var writes: [Prometheus.Counter?]
    private var freezes: [Prometheus.Counter?]
    private var durations: [Prometheus.ValueHistogram?]
    private let authnFailures: Prometheus.Counter
    private let authzDenials: Prometheus.Counter

    static let verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
                        "post", "put", "head", "options", "connect", "proxy", "other"]
    static let verbBytes = verbs.map { Array($0.utf8) }
    static let watch = verbs.firstIndex(of: "watch")!
    static let writeVerbs: Set<Int> = Set(["create", "update", "patch", "delete", "deletecollection"].map { verbs.firstIndex(of: $0)! })
    static let codeClasses = ["2xx", "3xx", "4xx", "5xx", "unknown"]
    static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    init(settings: AuditInsightsSettings, registry: PrometheusCollectorRegistry, topUsers: TopUsers, logger: Logger) {
        self.settings = settings
        self.registry = registry
        self.topUsers = topUsers
        self.logger = logger
        let names = Set(settings.resources.values.flatMap { $0 }).sorted()
        resourceNames = names + ["other", "nonresource"]
        resourceIndex = ResourceIndex(settings.resources, names: names)
        requests = Array(repeating: nil, count: Self.verbs.count * resourceNames.count * Self.codeClasses.count)
        writes = Array(repeating: nil, count: resourceNames.count)
        freezes = Array(repeating: nil, count: resourceNames.count)
        durations = Array(repeating: nil, count: Self.verbs.count)
        authnFailures = registry.makeCounter(descriptor: DaemonMetrics.describe(
            "tailship_audit_authn_failures_total", "Requests the API server answered 401 (authentication failed)."))
        authzDenials = registry.makeCounter(descriptor: DaemonMetrics.describe(
            "tailship_audit_authz_denials_total", "Requests denied by authorization: 403, or authorization.k8s.io/decision forbid."))
    }

    /// Observes one scanned audit event.
    func observe(_ f: EventFields, _ p: UnsafePointer<UInt8>) {
        guard f.isEvent, let stage = f.stage, stage.equals(Self.responseComplete, in: p) || stage.equals(Self.panic, in: p) else { return }
        let verb = f.verb.flatMap { v in Self.verbBytes.firstIndex { v.equals($0, in: p) } } ?? Self.verbs.count - 1
        let resource = resourceLabel(f, p)
        let code = f.responseCode
        let codeClass = code.map { (200..<600).contains($0) ? $0 / 100 - 2 : 4 } ?? 4
        let slot = (verb * resourceNames.count + resource) * Self.codeClasses.count + codeClass
        let counter = requests[slot] ?? {
            let c = registry.makeCounter(descriptor: DaemonMetrics.describe("tailship_audit_requests_total",
                "API requests seen in the audit log (ResponseComplete and Panic events) by verb, resource and status class."),
                labels: [("verb", Self.verbs[verb]), ("resource", resourceNames[resource]), ("code_class", Self.codeClasses[codeClass])])
            requests[slot] = c
            return c
        }()
        counter.increment()

        let received = f.requestReceivedTimestamp.flatMap { s in nanoseconds(s, p) }
        if verb != Self.watch, let received, let staged = f.stageTimestamp.flatMap({ nanoseconds($0, p) }), staged >= received {
            let histogram = durations[verb] ?? {
                let h = registry.makeValueHistogram(
                    descriptor: DaemonMetrics.describe("tailship_audit_request_duration_seconds",
                                                       "stageTimestamp minus requestReceivedTimestamp, by verb (watch left out: long-running)."),
                    labels: [("verb", Self.verbs[verb])], buckets: Self.durationBuckets)
                durations[verb] = h
                return h
            }()
            histogram.record(Double(staged - received) / 1e9)
        }
        let forbidden = code == 403 || (f.authorizationDecision?.equals(Self.forbid, in: p) ?? false)
        if code == 401 { authnFailures.increment() }
        if forbidden { authzDenials.increment() }

        let user = Self.who(f, p)
        topUsers.record(user: user, failed: code == 401 || forbidden, now: Double(UTCTime.nowNanoseconds()) / 1e9)

        guard Self.writeVerbs.contains(verb) else { return }
        byResource(&writes, resource, "tailship_audit_writes_total",
                   "Write requests (create, update, patch, delete, deletecollection) by resource.").increment()
        guard !settings.freezeWindows.isEmpty, let received else { return }
        let namespace = f.namespace.map { String(decoding: $0.decoded(in: p), as: UTF8.self) }
        for window in settings.freezeWindows where window.contains(received: received, namespace: namespace) {
            byResource(&freezes, resource, "tailship_audit_freeze_violations_total",
                       "Write requests received inside a configured freeze window, by resource.").increment()
            func text(_ s: JSONString?) -> String { s.map { String(decoding: $0.decoded(in: p), as: UTF8.self) } ?? "" }
            logger.warning("write during a freeze window", metadata: [
                "user": "\(user)", "verb": "\(Self.verbs[verb])", "resource": "\(text(f.resource))", "namespace": "\(namespace ?? "")",
                "name": "\(text(f.name))", "status": "\(code.map(String.init) ?? "-")", "audit_id": "\(text(f.auditID))",
                "received": "\(text(f.requestReceivedTimestamp))", "window": "\(window.label)",
            ])
            break
        }
    }

    /// The user name; for a request without one (a 401: the apiserver logs `"user":{}`), where it
    /// came from: `unauthenticated from <first of sourceIPs> (<userAgent>)`.
    static func who(_ f: EventFields, _ p: UnsafePointer<UInt8>) -> String {
        func text(_ s: JSONString?) -> String { s.map { String(decoding: $0.decoded(in: p), as: UTF8.self) } ?? "" }
        if let name = f.username, name.count > 0 { return text(name) }
        let ip = text(f.sourceIP), agent = text(f.userAgent)
        return "unauthenticated from \(ip.isEmpty ? "unknown address" : ip)\(agent.isEmpty ? "" : " (\(agent))")"
    }

    /// The counter for one resource label, made on first use.
    private func byResource(_ cache: inout [Prometheus.Counter?], _ resource: Int, _ name: String, _ help: String) -> Prometheus.Counter {
        if let c = cache[resource] { return c }
        let c = registry.makeCounter(descriptor: DaemonMetrics.describe(name, help), labels: [("resource", resourceNames[resource])])
        cache[resource] = c
        return c
    }

    /// Index into `resourceNames`: the name if its group's list has it, `nonresource` without objectRef, else `other`.
    private func resourceLabel(_ f: EventFields, _ p: UnsafePointer<UInt8>) -> Int {
        guard f.hasObjectRef, let r = f.resource else { return resourceNames.count - 1 }
        return resourceIndex.lookup(group: f.apiGroup, resource: r, p) ?? resourceNames.count - 2
    }

    private func nanoseconds(_ s: JSONString, _ p: UnsafePointer<UInt8>) -> Int64? {
        RFC3339.nanoseconds(UnsafeRawBufferPointer(start: p + s.start, count: s.count))
    }

    static let responseComplete = Array("ResponseComplete".utf8)
    static let panic = Array("Panic".utf8)
    static let forbid = Array("forbid".utf8)
}

/// (group, resource) in the allow-list → label index, found by hashing the
/// bytes in place (no string per event); escaped names take the slow path.
struct ResourceIndex {
    private var table: [UInt64: [(group: [UInt8], resource: [UInt8], index: Int)]] = [:]

    init(_ resources: [String: Set<String>], names: [String]) {
        for (group, set) in resources {
            for name in set {
                let g = Array(group.utf8), r = Array(name.utf8)
                table[Self.hash(g, r), default: []].append((g, r, names.firstIndex(of: name)!))
            }
        }
    }

    static func hash(_ g: [UInt8], _ r: [UInt8]) -> UInt64 {
        let h = g.withUnsafeBytes { FNV1a.hash($0) }
        return r.withUnsafeBytes { FNV1a.hash($0, seed: h ^ 0x2F) }
    }

    func lookup(group: JSONString?, resource: JSONString, _ p: UnsafePointer<UInt8>) -> Int? {
        if group?.escaped == true || resource.escaped {
            return find(group.map { $0.decoded(in: p) } ?? [], resource.decoded(in: p))
        }
        let g = group.map { FNV1a.hash(UnsafeRawBufferPointer(start: p + $0.start, count: $0.count)) } ?? FNV1a.hash(UnsafeRawBufferPointer(start: nil, count: 0))
        let h = FNV1a.hash(UnsafeRawBufferPointer(start: p + resource.start, count: resource.count), seed: g ^ 0x2F)
        guard let candidates = table[h] else { return nil }
        for c in candidates where (group.map { $0.equals(c.group, in: p) } ?? c.group.isEmpty) && resource.equals(c.resource, in: p) {
            return c.index
        }
        return nil
    }

    private func find(_ g: [UInt8], _ r: [UInt8]) -> Int? {
        table[Self.hash(g, r)]?.first { $0.group == g && $0.resource == r }?.index
    }
}
