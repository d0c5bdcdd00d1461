import Foundation
import Testing
import TailshipPolicy
import TailshipTestSupport

/// `tailship policy test` against the reference model on random events built as the apiserver
/// builds them, under random policies mostly led by `resourceNames` rules.
@Suite(.serialized) struct PolicyRandomTests {
    static let policies = 40
    static let eventsPerPolicy = 500

    @Test("20,000 random decisions equal the reference's")
    func randomDecisions() throws {
        let dir = TempDirectory()
        let seed = UInt64(ProcessInfo.processInfo.environment["TAILSHIP_POLICY_SEED"] ?? "") ?? 0x5eed_18
        var events = ApiserverEventGenerator(random: SplitMix64(seed: seed))
        var policies = RandomPolicyGenerator(random: SplitMix64(seed: seed &+ 1))
        var compared = 0, differFromObjectRef = 0, mismatches = 0
        for k in 0..<Self.policies {
            let yaml = policies.policy()
            let policyPath = dir.file("policy-\(k).yaml"), eventsPath = dir.file("events-\(k).ndjson")
            try yaml.write(toFile: policyPath, atomically: true, encoding: .utf8)
            let lines = (0..<Self.eventsPerPolicy).map { _ in events.event() }
            try (lines.joined(separator: "\n") + "\n").write(toFile: eventsPath, atomically: true, encoding: .utf8)
            let model = ReferencePolicyModel(policy: try PolicyLoader.parse(yaml))
            let got = try PolicyCommandTests.decisions(policy: policyPath, events: eventsPath, in: dir)
            try #require(got.count == lines.count)
            for (line, r) in zip(lines, got) {
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let want = model.decide(event)
                let have = ReferencePolicyModel.Decision(level: r["level"] as? String ?? "?", rule: r["rule"] as? Int,
                                                         omitStages: r["omitStages"] as? [String] ?? ["?"],
                                                         omitManagedFields: r["omitManagedFields"] as? Bool ?? false)
                if have != want && mismatches < 10 {
                    mismatches += 1
                    Issue.record("seed \(seed) policy \(k): \(have) != \(want)\n\(yaml)\n\(line)")
                }
                compared += 1
                var byObjectRef = event
                byObjectRef.removeValue(forKey: "requestURI")
                if model.decide(byObjectRef) != want { differFromObjectRef += 1 }
            }
        }
        print("policy random: seed \(seed), \(Self.policies) policies, \(compared) decisions compared, \(differFromObjectRef) of them differ from an objectRef-based decision")
        #expect(compared == 20_000)
        #expect(differFromObjectRef > 50, "too few events where the URL's name and objectRef's disagree to test anything")
    }
}
