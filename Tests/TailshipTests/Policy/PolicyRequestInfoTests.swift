import Foundation
import Testing
import TailshipPolicy
import TailshipTestSupport

/// Decisions use the name the apiserver had when it evaluated the policy (from the URL), not the
/// name a create's body later put into objectRef: the seed's leader-election policy, and the real
/// creates of liggitt-audit2rbac_demo.log, through `tailship policy test`.
@Suite(.serialized) struct PolicyRequestInfoTests {
    static let leaderPolicy = """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        rules:
        - level: None
          resources: [{group: "", resources: [configmaps], resourceNames: [controller-leader]}]
        - level: Metadata

        """

    static func event(_ id: String, verb: String, uri: String, name: String?) -> String {
        var ref: [String: Any] = ["resource": "configmaps", "namespace": "kube-system", "apiVersion": "v1"]
        if let name { ref["name"] = name }
        let e: [String: Any] = ["kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": id, "stage": "ResponseComplete",
                                "verb": verb, "requestURI": uri, "user": ["username": "system:kube-controller-manager"], "objectRef": ref]
        return String(decoding: try! JSONSerialization.data(withJSONObject: e), as: UTF8.self)
    }

    @Test("leader election: the create is kept, the update and the fieldSelector list and watch are dropped")
    func leaderElection() throws {
        let dir = TempDirectory()
        try Self.leaderPolicy.write(toFile: dir.file("policy.yaml"), atomically: true, encoding: .utf8)
        let base = "/api/v1/namespaces/kube-system/configmaps"
        let events = [
            Self.event("create", verb: "create", uri: base, name: "controller-leader"),
            Self.event("update", verb: "update", uri: base + "/controller-leader", name: "controller-leader"),
            Self.event("list", verb: "list", uri: base + "?fieldSelector=metadata.name%3Dcontroller-leader&limit=500", name: "controller-leader"),
            Self.event("watch", verb: "watch", uri: base + "?fieldSelector=metadata.name%3Dcontroller-leader&watch=true", name: "controller-leader"),
            Self.event("other", verb: "list", uri: base + "?fieldSelector=metadata.name%3Dother", name: "other"),
        ]
        try (events.joined(separator: "\n") + "\n").write(toFile: dir.file("events.ndjson"), atomically: true, encoding: .utf8)
        let got = try PolicyCommandTests.decisions(policy: dir.file("policy.yaml"), events: dir.file("events.ndjson"), in: dir)
        #expect(got.map { $0["action"] as? String } == ["keep", "drop", "drop", "drop", "keep"])
        #expect(got.map { $0["rule"] as? Int } == [1, 0, 0, 0, 1])
    }

    @Test("the 80 real creates of audit2rbac's demo log: a resourceNames rule naming each does not match it")
    func realCreates() throws {
        let dir = TempDirectory()
        let log = TestFixtures.real.appendingPathComponent("liggitt-audit2rbac_demo.log").path
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        var creates: [(line: String, group: String, resource: String, name: String)] = []
        for line in lines {
            guard let e = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], e["verb"] as? String == "create",
                  let ref = e["objectRef"] as? [String: Any], ref["subresource"] == nil, let name = ref["name"] as? String, !name.isEmpty,
                  let uri = e["requestURI"] as? String, !uri.split(separator: "?")[0].hasSuffix("/" + name) else { continue }
            creates.append((line, ref["apiGroup"] as? String ?? "", ref["resource"] as? String ?? "", name))
        }
        #expect(creates.count == 80)
        // One None rule per group and resource, listing every name created there; then Metadata for the rest.
        var names: [String: Set<String>] = [:]
        for c in creates { names["\(c.group)|\(c.resource)", default: []].insert(c.name) }
        var yaml = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n"
        for (key, set) in names.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "|", omittingEmptySubsequences: false)
            yaml += "- {level: None, resources: [{group: \"\(parts[0])\", resources: [\(parts[1])], resourceNames: [\(set.sorted().map { "\"\($0)\"" }.joined(separator: ", "))]}]}\n"
        }
        yaml += "- level: Metadata\n"
        try yaml.write(toFile: dir.file("policy.yaml"), atomically: true, encoding: .utf8)
        try (creates.map(\.line).joined(separator: "\n") + "\n").write(toFile: dir.file("creates.ndjson"), atomically: true, encoding: .utf8)
        let got = try PolicyCommandTests.decisions(policy: dir.file("policy.yaml"), events: dir.file("creates.ndjson"), in: dir)
        #expect(got.count == 80)
        #expect(got.allSatisfy { $0["level"] as? String == "Metadata" && $0["rule"] as? Int == names.count })
        let model = ReferencePolicyModel(policy: try PolicyLoader.parse(yaml))
        for c in creates {
            let e = try #require(try JSONSerialization.jsonObject(with: Data(c.line.utf8)) as? [String: Any])
            #expect(model.decide(e).level == "Metadata")
        }
        print("policy real creates: \(creates.count) creates, \(got.filter { $0["level"] as? String == "Metadata" }.count) kept at Metadata (none matched by their body's name)")
    }
}
