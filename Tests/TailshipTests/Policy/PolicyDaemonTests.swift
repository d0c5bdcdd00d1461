import Foundation
import TailshipTail
import Testing
import TailshipTestSupport

/// The daemon with `policy:` set ships only what the policy keeps, reduced.
@Suite(.serialized) struct PolicyDaemonTests {
    static let policy = """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: [RequestReceived]
        rules:
        - {level: None, users: ["system:kube-proxy"]}
        - {level: Metadata, resources: [{group: "", resources: [secrets]}]}
        - {level: Request, verbs: [get, list, watch]}
        - {level: RequestResponse}

        """

    /// An event in the apiserver's layout, and what the policy above makes of it (nil: dropped).
    static func event(_ i: Int) -> (line: String, shipped: String?) {
        let kind = i % 5
        let user = kind == 0 ? "system:kube-proxy" : "alice"
        let resource = kind == 1 ? "secrets" : "pods"
        let verb = kind == 3 ? "create" : "get"
        let stage = kind == 4 ? "RequestReceived" : "ResponseComplete"
        let head = #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":""#
        let mid = #"","auditID":"id-\#(i)","stage":"\#(stage)","requestURI":"/api/v1/namespaces/default/\#(resource)/o\#(i)","verb":"\#(verb)","user":{"username":"\#(user)","groups":["system:authenticated"]},"objectRef":{"resource":"\#(resource)","namespace":"default","name":"o\#(i)","apiVersion":"v1"}"#
        let request = #","requestObject":{"kind":"Pod","metadata":{"name":"o\#(i)"}}"#
        let response = #","responseObject":{"kind":"Pod","metadata":{"name":"o\#(i)","uid":"u\#(i)"},"spec":{"x":[1,2,3]}}"#
        let tail = #","requestReceivedTimestamp":"2026-11-27T01:00:00.000000Z","stageTimestamp":"2026-11-27T01:00:00.001000Z"}"#
        let line = head + "RequestResponse" + mid + request + response + tail
        switch kind {
        case 0, 4: return (line, nil)
        case 1: return (line, head + "Metadata" + mid + tail)
        case 2: return (line, head + "Request" + mid + request + tail)
        default: return (line, line)
        }
    }

    func writePolicy(_ text: String, _ f: DaemonFixture) -> String {
        let path = f.dir.file("policy.yaml")
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func shipsOnlyWhatThePolicyKeepsReducedAndCommitsEverything() async throws {
        let f = DaemonFixture()
        let policy = writePolicy(Self.policy, f)
        let config = f.config(output: f.fileOutput, extra: "policy: \"\(policy)\"")
        var lines: [String] = []
        var expected: [String] = []
        for i in 0..<2000 {
            let e = Self.event(i)
            lines.append(e.line)
            if let s = e.shipped { expected.append(s) }
            if i == 777 {
                lines.append("this line is not JSON")
                expected.append("this line is not JSON") // policy_on_invalid: pass (default)
            }
        }
        appendText(lines.map { $0 + "\n" }.joined(), to: f.log)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 20) { f.delivered().count >= expected.count })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)
        let delivered = f.delivered()
        #expect(delivered == expected)
        #expect(expected.count == 1201)
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        let document = try #require(try RegistryStore(path: f.registry).load()?.only)
        #expect(document.entries.first?.offset == size)
        #expect(daemon.stderr.contains("kept=400"))
        #expect(daemon.stderr.contains("reduced=800"))
        #expect(daemon.stderr.contains("dropped=800"))
        #expect(daemon.stderr.contains("invalid=1"))
    }

    @Test func sighupReloadsThePolicyAndKeepsTheOldOneWhenTheNewIsInvalid() async throws {
        let f = DaemonFixture()
        let policy = writePolicy("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n", f)
        let config = f.config(output: f.fileOutput, extra: "policy: \"\(policy)\"")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let full = (0..<100).map { Self.event($0 * 5 + 3).line } // create, RequestResponse with both objects
        appendText(full.map { $0 + "\n" }.joined(), to: f.log)
        #expect(await eventually(seconds: 10) { f.delivered().count >= 100 })
        #expect(f.delivered().allSatisfy { $0.contains(#""level":"Metadata""#) && !$0.contains("requestObject") })

        _ = writePolicy("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- {level: None, verbs: [get]}\n- level: RequestResponse\n", f)
        daemon.signal(SIGHUP)
        #expect(await eventually(seconds: 10) { daemon.stderr.contains("SIGHUP: configuration reloaded") })
        let second = (100..<200).map { Self.event($0).line } // gets and creates
        appendText(second.map { $0 + "\n" }.joined(), to: f.log)
        let creates = second.filter { $0.contains(#""verb":"create""#) }
        #expect(await eventually(seconds: 10) { f.delivered().count >= 100 + creates.count })

        _ = writePolicy("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Everything\n", f)
        daemon.signal(SIGHUP)
        #expect(await eventually(seconds: 10) { daemon.stderr.contains("SIGHUP: new configuration refused") })
        #expect(daemon.stderr.contains("rules[0].level"))
        let third = (200..<300).map { Self.event($0).line }
        appendText(third.map { $0 + "\n" }.joined(), to: f.log)
        let creates3 = third.filter { $0.contains(#""verb":"create""#) }
        #expect(await eventually(seconds: 10) { f.delivered().count >= 100 + creates.count + creates3.count })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)
        #expect(Array(f.delivered().dropFirst(100)) == creates + creates3)
    }

    @Test(arguments: ["drop", "dead-letter"])
    func linesThatAreNotEventsFollowPolicyOnInvalid(_ mode: String) async throws {
        let f = DaemonFixture()
        let policy = writePolicy("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n", f)
        let config = f.config(output: f.fileOutput, extra: "policy: \"\(policy)\"\npolicy_on_invalid: \(mode)")
        let invalid = ["plain text", #"{"kind":"Pod"}"#, #"{"kind":"Event","truncated"#]
        var lines: [String] = []
        for i in 0..<30 {
            lines.append(Self.event(i * 5 + 3).line)
            if i % 10 == 5 { lines.append(invalid[i / 10]) }
        }
        appendText(lines.map { $0 + "\n" }.joined(), to: f.log)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 10) { f.delivered().count >= 30 })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)
        #expect(f.delivered() == lines.filter { !invalid.contains($0) })
        let stored = ((try? FileManager.default.contentsOfDirectory(atPath: f.deadLetter)) ?? []).filter { $0.hasSuffix("-invalid-lines.ndjson") }
        if mode == "dead-letter" {
            try #require(stored.count == 1)
            #expect(try String(contentsOfFile: "\(f.deadLetter)/\(stored[0])", encoding: .utf8) == invalid.map { $0 + "\n" }.joined())
        } else {
            #expect(stored.isEmpty)
        }
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(try RegistryStore(path: f.registry).load()?.only?.entries.first?.offset == size)
        #expect(daemon.stderr.contains("invalid=3"))
    }

    @Test func checkRefusesAConfigWithAnInvalidPolicy() throws {
        let f = DaemonFixture()
        let policy = writePolicy("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- {level: None, resources: [{group: \"\", resourceNames: [x]}]}\n", f)
        let config = f.config(output: f.fileOutput, extra: "policy: \"\(policy)\"")
        let (status, _, err) = try TailshipProcess.run(["check", "--config", config], directory: f.dir.path)
        #expect(status == 1)
        #expect(err.contains("rules[0].resources[0].resourceNames: using resourceNames requires at least one resource"))
        let good = writePolicy(Self.policy, f)
        let config2 = f.config(output: f.fileOutput, extra: "policy: \"\(good)\"\npolicy_on_invalid: dead-letter")
        let (ok, out, _) = try TailshipProcess.run(["check", "--config", config2], directory: f.dir.path)
        #expect(ok == 0)
        #expect(out.contains("policy: \"\(good)\""))
        #expect(out.contains("policy_on_invalid: dead-letter"))
        let config3 = f.config(output: f.fileOutput, extra: "policy: \"\(good)\"\npolicy_on_invalid: ignore")
        let (bad, _, err3) = try TailshipProcess.run(["check", "--config", config3], directory: f.dir.path)
        #expect(bad == 1)
        #expect(err3.contains("policy_on_invalid: must be pass, drop or dead-letter"))
    }
}
