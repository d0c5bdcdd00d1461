import Foundation
import Tailship
import Testing
import TailshipTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// audit_metrics, /audit/top, freeze windows and enrichment, through the real binary.
@Suite(.serialized) struct AuditInsightsTests {
    /// An audit event in the apiserver's field order.
    static func event(user: String?, verb: String, resource: String? = nil, group: String? = nil, namespace: String? = nil,
                      uri: String = "/api", code: Int, decision: String? = nil, received: Date, millis: Int,
                      stage: String = "ResponseComplete", source: String = "10.0.0.1", agent: String = "kubectl/v1.31.0", id: Int) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var o: [String] = [#""kind":"Event""#, #""apiVersion":"audit.k8s.io/v1""#, #""level":"Metadata""#, #""auditID":"id-\#(id)""#,
                           #""stage":"\#(stage)""#, #""requestURI":"\#(uri)""#, #""verb":"\#(verb)""#]
        // As the apiserver logs a 401: "user":{}; who it was is only in sourceIPs and userAgent.
        o.append(user.map { #""user":{"username":"\#($0)","groups":["system:authenticated"]}"# } ?? #""user":{}"#)
        o.append(#""sourceIPs":["\#(source)","10.0.0.254"]"#)
        o.append(#""userAgent":"\#(agent)""#)
        if let resource {
            var ref = [#""resource":"\#(resource)""#]
            if let namespace { ref.append(#""namespace":"\#(namespace)""#) }
            ref.append(#""name":"obj-\#(id)""#)
            if let group { ref.append(#""apiGroup":"\#(group)""#) }
            o.append(#""objectRef":{\#(ref.joined(separator: ","))}"#)
        }
        o.append(#""responseStatus":{"metadata":{},"code":\#(code)}"#)
        o.append(#""requestReceivedTimestamp":"\#(f.string(from: received))""#)
        o.append(#""stageTimestamp":"\#(f.string(from: received.addingTimeInterval(Double(millis) / 1000)))""#)
        if let decision { o.append(#""annotations":{"authorization.k8s.io/decision":"\#(decision)","authorization.k8s.io/reason":""}"#) }
        return "{" + o.joined(separator: ",") + "}"
    }

    static let t0 = Date(timeIntervalSince1970: 1_795_737_600) // 2026-11-27T00:00:00Z

    /// Known traffic: 4 users, durations per verb, 401s, 403s, forbid decisions, writes in and out of a freeze.
    static func generated() -> [String] {
        var lines: [String] = []
        var id = 0
        func add(_ n: Int, _ make: (Int) -> String) { for i in 0..<n { id += 1; lines.append(make(i)) } }
        let hour = 3600.0
        add(40) { i in event(user: "alice", verb: "get", resource: "pods", namespace: "prod", code: 200, received: t0.addingTimeInterval(Double(i)), millis: 10, id: id) }
        add(50) { i in event(user: "alice", verb: "get", resource: "pods", namespace: "prod", code: 0, received: t0, millis: 0, stage: "RequestReceived", id: id) }
        add(30) { i in event(user: "alice", verb: "list", resource: "pods", code: 200, received: t0, millis: 300, id: id) }
        add(20) { i in event(user: "alice", verb: "create", resource: "deployments", group: "apps", namespace: "prod", code: 201,
                             received: t0.addingTimeInterval(i < 10 ? 1.5 * hour : 0.5 * hour), millis: 2000, id: id) }
        add(10) { i in event(user: "alice", verb: "watch", resource: "pods", code: 200, received: t0, millis: 60000, id: id) }
        add(1) { i in event(user: "alice", verb: "get", resource: "pods", namespace: "prod", code: 500, received: t0, millis: 10, stage: "Panic", id: id) }
        add(60) { i in event(user: "bob", verb: "get", resource: "secrets", namespace: "prod", code: i < 30 ? 200 : 403,
                             received: t0, millis: i < 30 ? 5 : 1, id: id) }
        add(20) { i in event(user: nil, verb: "get", code: 401, received: t0, millis: 1, source: "203.0.113.7", agent: "curl/8.5.0", id: id) }
        add(4) { i in event(user: nil, verb: "get", code: 401, received: t0, millis: 1, source: "198.51.100.9", agent: "python-requests/2.31", id: id) }
        add(3) { i in event(user: "carol", verb: "patch", resource: "widgets", group: "example.com", namespace: "prod", code: 200,
                            received: t0.addingTimeInterval(1.2 * hour), millis: 20, id: id) }
        add(1) { i in event(user: "carol", verb: "delete", resource: "configmaps", namespace: "dev", code: 403, decision: "forbid",
                            received: t0.addingTimeInterval(1.2 * hour), millis: 2, id: id) }
        add(1) { i in event(user: "carol", verb: "update", resource: "configmaps", namespace: "prod", code: 200, decision: "forbid",
                            received: t0.addingTimeInterval(3 * hour), millis: 2, id: id) }
        return lines
    }

    /// What audit_metrics should count, worked out by decoding every line with JSONSerialization.
    struct Reference {
        var requests: [[String: String]: Int] = [:]
        var durations: [String: [Double]] = [:]
        var authn = 0, authz = 0
        var writes: [String: Int] = [:]

        init(_ lines: [String]) {
            // Whole seconds by Foundation, the fraction by hand: Foundation's formatter keeps milliseconds only.
            let plain = ISO8601DateFormatter()
            func date(_ s: Any?) -> Date? {
                guard let text = s as? String else { return nil }
                let parts = text.dropLast().split(separator: ".", maxSplits: 1)
                guard text.hasSuffix("Z"), let whole = plain.date(from: parts[0] + "Z") else { return nil }
                let fraction = parts.count == 2 ? Double("0." + parts[1]) ?? 0 : 0
                return whole.addingTimeInterval(fraction)
            }
            let verbs: Set<String> = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
                                      "post", "put", "head", "options", "connect", "proxy"]
            for line in lines {
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      o["kind"] as? String == "Event", ["ResponseComplete", "Panic"].contains(o["stage"] as? String ?? "") else { continue }
                let verb = (o["verb"] as? String).flatMap { verbs.contains($0) ? $0 : nil } ?? "other"
                var resource = "nonresource"
                if let ref = o["objectRef"] as? [String: Any], let r = ref["resource"] as? String {
                    resource = AuditInsightsSettings.builtInResources[ref["apiGroup"] as? String ?? ""]?.contains(r) == true ? r : "other"
                }
                let code = (o["responseStatus"] as? [String: Any])?["code"] as? Int
                let codeClass = code.map { (200..<600).contains($0) ? "\($0 / 100)xx" : "unknown" } ?? "unknown"
                requests[["verb": verb, "resource": resource, "code_class": codeClass], default: 0] += 1
                if verb != "watch", let a = date(o["requestReceivedTimestamp"]), let b = date(o["stageTimestamp"]), b >= a {
                    durations[verb, default: []].append(b.timeIntervalSince(a))
                }
                let decision = (o["annotations"] as? [String: Any])?["authorization.k8s.io/decision"] as? String
                if code == 401 { authn += 1 }
                if code == 403 || decision == "forbid" { authz += 1 }
                if ["create", "update", "patch", "delete", "deletecollection"].contains(verb) { writes[resource, default: 0] += 1 }
            }
        }
    }

    func runDaemon(_ f: DaemonFixture, lines: [String], extra: String) async throws -> (TailshipProcess, MonitoringClient, [MonitoringClient.Sample]) {
        appendText(lines.map { $0 + "\n" }.joined(), to: f.log)
        let config = f.config(output: f.fileOutput, batch: "{max_events: 500, max_wait: 50ms}",
                              extra: "monitoring: {listen: \"127.0.0.1:0\"}\n" + extra)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        let client = try #require(await MonitoringClient.address(of: daemon))
        #expect(await eventually(seconds: 30) { f.delivered().count >= lines.count })
        // Audit metrics included, the exposition passes Prometheus's own checker.
        let promtool = try client.promtoolCheck(in: f.dir.path)
        #expect(promtool.status == 0, "promtool check metrics: \(promtool.output)")
        return (daemon, client, try client.scrape())
    }

    func check(_ m: [MonitoringClient.Sample], against r: Reference) {
        let series = m.filter { $0.name == "tailship_audit_requests_total" }
        #expect(series.count == r.requests.count)
        for (labels, count) in r.requests {
            #expect(m.value("tailship_audit_requests_total", labels) == Double(count), "\(labels)")
        }
        #expect(m.value("tailship_audit_authn_failures_total") == Double(r.authn))
        #expect(m.value("tailship_audit_authz_denials_total") == Double(r.authz))
        for (resource, count) in r.writes {
            #expect(m.value("tailship_audit_writes_total", ["resource": resource]) == Double(count), "\(resource)")
        }
        for (verb, values) in r.durations {
            #expect(m.value("tailship_audit_request_duration_seconds_count", ["verb": verb]) == Double(values.count), "\(verb)")
            let sum = m.value("tailship_audit_request_duration_seconds_sum", ["verb": verb]) ?? -1
            #expect(abs(sum - values.reduce(0, +)) < 1e-6 * Double(values.count) + 1e-9, "\(verb) sum \(sum)")
        }
        #expect(m.value("tailship_audit_request_duration_seconds_count", ["verb": "watch"]) == nil)
    }

    @Test func generatedEventsGiveKnownCountsDurationsRankingAndFreezeViolations() async throws {
        let f = DaemonFixture()
        let lines = Self.generated()
        let extra = """
            audit_metrics:
              enabled: true
              freeze_windows:
                - {start: "2026-11-27T01:00:00Z", end: "2026-11-27T02:00:00Z", namespaces: [prod]}
            """
        let (daemon, client, m) = try await runDaemon(f, lines: lines, extra: extra)
        let reference = Reference(lines)
        check(m, against: reference)
        // The same figures, stated by hand.
        #expect(m.value("tailship_audit_authn_failures_total") == 24)
        #expect(m.value("tailship_audit_authz_denials_total") == 32)
        #expect(m.value("tailship_audit_requests_total", ["verb": "get", "resource": "pods", "code_class": "2xx"]) == 40)
        #expect(m.value("tailship_audit_requests_total", ["verb": "get", "resource": "pods", "code_class": "5xx"]) == 1)
        #expect(m.value("tailship_audit_requests_total", ["verb": "get", "resource": "nonresource", "code_class": "4xx"]) == 24)
        #expect(m.value("tailship_audit_requests_total", ["verb": "patch", "resource": "other", "code_class": "2xx"]) == 3)
        #expect(m.value("tailship_audit_writes_total", ["resource": "deployments"]) == 20)
        #expect(m.value("tailship_audit_request_duration_seconds_count", ["verb": "list"]) == 30)
        #expect(m.value("tailship_audit_request_duration_seconds_bucket", ["verb": "list", "le": "0.25"]) == 0)
        #expect(m.value("tailship_audit_request_duration_seconds_bucket", ["verb": "list", "le": "0.5"]) == 30)
        #expect(m.value("tailship_audit_request_duration_seconds_count", ["verb": "create"]) == 20)
        #expect(m.value("tailship_audit_request_duration_seconds_bucket", ["verb": "create", "le": "1.0"]) == 0)
        #expect(m.value("tailship_audit_request_duration_seconds_bucket", ["verb": "create", "le": "2.5"]) == 20)
        // Freeze: 10 deployments created in prod inside the window, 3 custom resources patched there;
        // the delete in dev and the update after the window do not count.
        #expect(m.value("tailship_audit_freeze_violations_total", ["resource": "deployments"]) == 10)
        #expect(m.value("tailship_audit_freeze_violations_total", ["resource": "other"]) == 3)
        #expect(m.value("tailship_audit_freeze_violations_total", ["resource": "configmaps"]) == nil)

        let top = client.get("/audit/top")
        #expect(top.status == 200)
        let report = try JSONSerialization.jsonObject(with: Data(top.body.utf8)) as? [String: Any]
        func ranking(_ key: String, _ field: String) -> [String] {
            (report?[key] as? [[String: Any]] ?? []).map { "\($0["user"] as? String ?? "?")=\($0[field] as? Int ?? -1)" }
        }
        // 401s are attributed to where they came from, not lumped together.
        let curl = "unauthenticated from 203.0.113.7 (curl/8.5.0)", python = "unauthenticated from 198.51.100.9 (python-requests/2.31)"
        #expect(ranking("top_by_failures", "failures") == ["bob=30", "\(curl)=20", "\(python)=4", "carol=2"])
        #expect(ranking("top_by_requests", "requests") == ["alice=101", "bob=60", "\(curl)=20", "carol=5", "\(python)=4"])
        #expect(report?["window_seconds"] as? Double == 900)
        #expect(report?["approximate"] as? Bool == false)

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
        let logged = daemon.stderr.split(separator: "\n").filter { $0.contains("write during a freeze window") }
        #expect(logged.count == 13)
        #expect(logged.contains { $0.contains("user=alice") && $0.contains("verb=create") && $0.contains("resource=deployments")
            && $0.contains("namespace=prod") && $0.contains("name=obj-") })
        // Shipped unchanged: metrics do not touch the events.
        #expect(f.delivered() == lines)
    }

    @Test func realLogsGiveTheCountsAReferenceDecoderGives() async throws {
        let f = DaemonFixture()
        let dir = RealLogsTests.realDirectory
        var lines: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where name.hasSuffix(".log") || name.hasSuffix(".ndjson") {
            let text = try String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8)
            lines += text.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        let reference = Reference(lines)
        #expect(reference.requests.values.reduce(0, +) > 100)
        let (daemon, _, m) = try await runDaemon(f, lines: lines, extra: "audit_metrics: {enabled: true}")
        check(m, against: reference)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
    }

    @Test func enrichmentAddsOneObjectAndLeavesEveryOtherByte() async throws {
        let f = DaemonFixture()
        let dir = RealLogsTests.realDirectory
        let text = try String(contentsOfFile: "\(dir)/openshift-cluster-logging-operator_audit_in.log", encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        lines.insert("not json", at: 3)
        lines.insert(#"{"kind":"Event","tailship":{"already":"here"}}"#, at: 5)
        lines.insert("{}", at: 7)
        lines.insert(#"{"a":1}   "#, at: 9)
        appendText(lines.map { $0 + "\n" }.joined(), to: f.log)
        let config = f.config(output: f.fileOutput, extra: """
            add_fields: {cluster: prod-eu-1, node: "${NODE_NAME}"}
            add_source: true
            """)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, environment: ["NODE_NAME": "cp-1"])
        #expect(await eventually(seconds: 20) { f.delivered().count >= lines.count })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
        let shipped = f.delivered()
        #expect(shipped.count == lines.count)
        var offset = 0
        for (original, out) in zip(lines, shipped) {
            defer { offset += original.utf8.count + 1 }
            let parsed = try? JSONSerialization.jsonObject(with: Data(original.utf8)) as? [String: Any]
            guard let parsed, parsed["tailship"] == nil else {
                #expect(out == original, "left as it is: \(original.prefix(60))")
                continue
            }
            let added = #""tailship":{"cluster":"prod-eu-1","node":"cp-1","file":"\#(f.log)","offset":\#(offset)}"#
            let trimmed = original.hasSuffix("   ") ? String(original.dropLast(3)) : original
            let expected = String(trimmed.dropLast()) + (parsed.isEmpty ? "" : ",") + added + "}" + (trimmed == original ? "" : "   ")
            #expect(out == expected, "\(original.prefix(60))")
            var enriched = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            let tailship = enriched.removeValue(forKey: "tailship") as? [String: Any]
            #expect(tailship?["cluster"] as? String == "prod-eu-1")
            #expect(tailship?["offset"] as? Int == offset)
            #expect(NSDictionary(dictionary: enriched).isEqual(to: parsed))
        }
    }
}
