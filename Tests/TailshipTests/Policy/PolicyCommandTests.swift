import Foundation
import Testing
import TailshipPolicy
import TailshipTestSupport

/// `tailship policy check|test` run as the real binary over the policies and real audit logs in Tests/Fixtures.
@Suite(.serialized) struct PolicyCommandTests {
    static var shared: URL { TestFixtures.directory }

    static var policies: [String] {
        let dir = shared.appendingPathComponent("policies").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted().map { "\(dir)/\($0)" }
    }

    /// Every NDJSON audit log in real/ (the pretty-printed .json copies are the same events).
    static var realLogs: [String] {
        let dir = shared.appendingPathComponent("real").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".log") || $0.hasSuffix(".ndjson") }.sorted().map { "\(dir)/\($0)" }
    }

    static func lines(_ path: String) throws -> [Data] {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        if data.last == 0x0A { data.removeLast() }
        return data.split(separator: 0x0A, omittingEmptySubsequences: false).map { Data($0) }
    }

    static func decisions(policy: String, events: String, in dir: TempDirectory) throws -> [[String: Any]] {
        let (status, out, err) = try TailshipProcess.run(["policy", "test", "--explain", "--policy", policy, events], directory: dir.path)
        #expect(status == 0, "\(err)")
        return try out.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test("every shared policy passes `policy check`")
    func checkShared() throws {
        let dir = TempDirectory()
        #expect(Self.policies.count >= 8)
        for p in Self.policies {
            let (status, out, err) = try TailshipProcess.run(["policy", "check", p], directory: dir.path)
            #expect(status == 0, "\(p): \(err)")
            #expect(out.contains("valid"))
        }
    }

    @Test("an invalid policy exits 1 with every message")
    func checkInvalid() throws {
        let dir = TempDirectory()
        let path = dir.file("bad.yaml")
        try "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Loud\n- {level: None, nonResourceURLs: [healthz]}\n- {level: None, resources: [{group: apps}, {group: \"*\", resources: [pods]}]}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let (status, _, err) = try TailshipProcess.run(["policy", "check", path], directory: dir.path)
        #expect(status == 1)
        #expect(err.contains("rules[2].resources[1].group: \"*\" is not an API group name"))
        #expect(err.contains("rules[0].level: must be one of None, Metadata, Request, RequestResponse, not \"Loud\""))
        #expect(err.contains("rules[1].nonResourceURLs[0]: must start with \"/\""))
    }

    @Test("decisions on every real log under every shared policy equal the reference model's")
    func realDecisions() throws {
        let dir = TempDirectory()
        #expect(Self.realLogs.count >= 8)
        var checked = 0
        for policyPath in Self.policies {
            let model = ReferencePolicyModel(policy: try PolicyLoader.load(path: policyPath))
            for log in Self.realLogs {
                let input = try Self.lines(log)
                let got = try Self.decisions(policy: policyPath, events: log, in: dir)
                try #require(got.count == input.count, "\(log): \(got.count) results for \(input.count) lines")
                for (i, line) in input.enumerated() {
                    let r = got[i]
                    #expect(r["line"] as? Int == i + 1)
                    guard let event = try? JSONSerialization.jsonObject(with: line) as? [String: Any], event["kind"] as? String == "Event" else {
                        #expect(r["action"] as? String == "invalid", "\(log):\(i + 1)")
                        continue
                    }
                    let want = model.decide(event)
                    let rule = r["rule"] as? Int
                    let have = ReferencePolicyModel.Decision(level: r["level"] as? String ?? "?", rule: rule,
                                                             omitStages: r["omitStages"] as? [String] ?? ["?"],
                                                             omitManagedFields: r["omitManagedFields"] as? Bool ?? false)
                    #expect(have == want, "\((policyPath as NSString).lastPathComponent) \((log as NSString).lastPathComponent):\(i + 1)")
                    #expect(r["auditID"] as? String == event["auditID"] as? String)
                    #expect(r["stage"] as? String == event["stage"] as? String)
                    checked += 1
                }
            }
        }
        #expect(checked > 5000)
    }

    /// Hand-worked decisions for sample events, one set per policy.
    static let samples: [(policy: String, log: String, auditID: String, level: String, action: String, rule: Int?)] = [
        ("cloud-default-style", "liggitt-audit2rbac_demo.log", "033d17af-082d-4b24-aa22-627752e83d71", "Request", "keep", 13),
        ("cloud-default-style", "openshift-cluster-logging-operator_audit_in.log", "b6560098-0bbb-4593-ad6a-9c0022e9dc87", "None", "drop", 5),
        ("cloud-default-style", "openshift-cluster-logging-operator_audit_in.log", "7735060f-44f5-4707-beab-5c93c245d4de", "RequestResponse", "keep", 14),
        ("cloud-default-style", "openshift-cluster-logging-operator_audit_in.log", "b54d50ce-8a29-4753-83fa-802e8931b4ae", "Metadata", "reduce", 15),
        ("cloud-default-style", "openshift-cluster-logging-operator_audit_in.log", "bf215ddd-ee0d-4241-a46e-0007e72249f6", "Metadata", "reduce", 12),
        ("monitoring-vendor", "liggitt-audit2rbac_demo.log", "033d17af-082d-4b24-aa22-627752e83d71", "Metadata", "keep", 4),
        ("monitoring-vendor", "openshift-cluster-logging-operator_audit_in.log", "7735060f-44f5-4707-beab-5c93c245d4de", "RequestResponse", "keep", 3),
        ("monitoring-vendor", "openshift-cluster-logging-operator_audit_in.log", "b6560098-0bbb-4593-ad6a-9c0022e9dc87", "Metadata", "reduce", 4),
        ("skip-control-plane-components", "liggitt-audit2rbac_demo.log", "033d17af-082d-4b24-aa22-627752e83d71", "Metadata", "keep", 1),
        ("skip-control-plane-components", "openshift-cluster-logging-operator_audit_in.log", "b6560098-0bbb-4593-ad6a-9c0022e9dc87", "None", "drop", 0),
        ("skip-control-plane-components", "openshift-cluster-logging-operator_audit_in.log", "7735060f-44f5-4707-beab-5c93c245d4de", "Metadata", "reduce", 1),
        ("pods-request-response", "liggitt-audit2rbac_demo.log", "033d17af-082d-4b24-aa22-627752e83d71", "RequestResponse", "keep", 0),
        ("pods-create-delete-v1beta1", "liggitt-audit2rbac_demo.log", "033d17af-082d-4b24-aa22-627752e83d71", "None", "drop", 1),
        ("pods-create-delete-v1beta1", "openshift-cluster-logging-operator_audit_in.log", "7735060f-44f5-4707-beab-5c93c245d4de", "Request", "reduce", 0),
        ("recommended-exec-and-pods", "liggitt-audit2rbac_demo.log", "033d17af-082d-4b24-aa22-627752e83d71", "None", "drop", 3),
        ("recommended-exec-and-pods", "openshift-cluster-logging-operator_audit_in.log", "7735060f-44f5-4707-beab-5c93c245d4de", "Request", "reduce", 1),
        ("recommended-exec-and-pods", "openshift-cluster-logging-operator_audit_in.log", "bf215ddd-ee0d-4241-a46e-0007e72249f6", "None", "drop", 3),
        ("node-status-updates", "openshift-cluster-logging-operator_audit_in.log", "7735060f-44f5-4707-beab-5c93c245d4de", "None", "drop", nil),
        ("metadata-everything", "liggitt-audit2rbac_demo.log", "033d17af-082d-4b24-aa22-627752e83d71", "Metadata", "keep", 0),
        ("metadata-everything", "openshift-cluster-logging-operator_audit_in.log", "7735060f-44f5-4707-beab-5c93c245d4de", "Metadata", "reduce", 0),
    ]

    @Test("hand-worked sample decisions, per policy")
    func sampleDecisions() throws {
        let dir = TempDirectory()
        for s in Self.samples {
            let policy = Self.shared.appendingPathComponent("policies/\(s.policy).yaml").path
            let got = try Self.decisions(policy: policy, events: Self.shared.appendingPathComponent("real/\(s.log)").path, in: dir)
            let r = try #require(got.first { $0["auditID"] as? String == s.auditID }, "\(s.auditID) not in output")
            #expect(r["level"] as? String == s.level, "\(s.policy) \(s.auditID)")
            #expect(r["action"] as? String == s.action, "\(s.policy) \(s.auditID)")
            #expect(r["rule"] as? Int == s.rule, "\(s.policy) \(s.auditID)")
        }
    }

    @Test("--apply: reduced events are valid JSON, objects gone exactly where the level requires, other fields byte-identical")
    func applyRealLogs() throws {
        let dir = TempDirectory()
        for level in ["Metadata", "Request"] {
            let policy = dir.file("\(level).yaml")
            try "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: \(level)\n".write(toFile: policy, atomically: true, encoding: .utf8)
            var reduced = 0
            for log in Self.realLogs {
                let input = try Self.lines(log).filter { !$0.isEmpty }
                let (status, out, err) = try TailshipProcess.run(["policy", "test", "--apply", "--policy", policy, log], directory: dir.path)
                #expect(status == 0, "\(err)")
                let output = out.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { Data($0.utf8) }
                try #require(output.count == input.count, "\(log)")
                for (original, shipped) in zip(input, output) {
                    guard let event = try? JSONSerialization.jsonObject(with: original) as? [String: Any], event["kind"] as? String == "Event" else {
                        #expect(shipped == original) // invalid lines pass unchanged
                        continue
                    }
                    let result = try #require(try JSONSerialization.jsonObject(with: shipped) as? [String: Any], "not JSON: \(String(decoding: shipped, as: UTF8.self))")
                    let eventLevel = event["level"] as? String ?? "RequestResponse"
                    let lowered = Self.rank(level) < Self.rank(eventLevel)
                    if !lowered {
                        #expect(shipped == original)
                        continue
                    }
                    reduced += 1
                    #expect(result["level"] as? String == level)
                    #expect(result["responseObject"] == nil)
                    #expect((result["requestObject"] == nil) == (level == "Metadata" || event["requestObject"] == nil))
                    var expectedKeys = Set(event.keys)
                    expectedKeys.remove("responseObject")
                    if level == "Metadata" { expectedKeys.remove("requestObject") }
                    #expect(Set(result.keys) == expectedKeys)
                    let kept = expectedKeys.subtracting(["level"])
                    #expect(NSDictionary(dictionary: result.filter { kept.contains($0.key) })
                        .isEqual(to: event.filter { kept.contains($0.key) }), "kept fields changed")
                    // Byte-identical: the shipped line is the original with whole members cut out.
                    let relevelled = String(decoding: original, as: UTF8.self)
                        .replacingOccurrences(of: "\"level\":\"\(eventLevel)\"", with: "\"level\":\"\(level)\"", options: [], range: nil)
                    #expect(Self.isSubsequence(Array(shipped), of: Array(relevelled.utf8)))
                }
            }
            #expect(reduced > 100, "\(level): \(reduced) events reduced")
        }
    }

    @Test("events from standard input, a last line without newline, and lines that are not events")
    func standardInput() throws {
        let dir = TempDirectory()
        let policy = Self.shared.appendingPathComponent("policies/metadata-everything.yaml").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TailshipProcess.binary)
        p.arguments = ["policy", "test", "--policy", policy, "--explain"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        let events = #"{"kind":"Event","level":"Request","auditID":"a1","stage":"ResponseComplete","verb":"get"}"# + "\n\nnot json\n" +
            #"{"kind":"Event","level":"Metadata","auditID":"a2","stage":"Panic"}"#
        input.fileHandleForWriting.write(Data(events.utf8))
        try input.fileHandleForWriting.close()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(out == """
            {"line":1,"auditID":"a1","stage":"ResponseComplete","level":"Metadata","action":"reduce","omitStages":[],"omitManagedFields":false,"rule":0}
            {"line":2,"action":"invalid"}
            {"line":3,"action":"invalid"}
            {"line":4,"auditID":"a2","stage":"Panic","level":"Metadata","action":"keep","omitStages":[],"omitManagedFields":false,"rule":0}

            """)
        _ = dir
    }

    static func rank(_ level: String) -> Int { ["None", "Metadata", "Request", "RequestResponse"].firstIndex(of: level) ?? 3 }

    static func isSubsequence(_ a: [UInt8], of b: [UInt8]) -> Bool {
        var j = 0
        for x in a {
            while j < b.count && b[j] != x { j += 1 }
            if j == b.count { return false }
            j += 1
        }
        return true
    }
}
