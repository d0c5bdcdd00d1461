import Testing
@testable import TailshipPolicy

@Suite("Policy matching as kube-apiserver's checker")
struct PolicyMatchingTests {
    @Test("the semantics table has at least 60 cases")
    func tableSize() {
        #expect(PolicyTable.cases.count >= 60)
    }

    @Test("decision per case", arguments: PolicyTable.cases)
    func decide(_ c: PolicyCase) throws {
        let policy = try PolicyLoader.parse(c.policyYAML)
        let processor = PolicyProcessor(policy: policy)
        let verdict = Array(c.event.utf8).withUnsafeBytes { processor.process($0) }
        let d = try #require(verdict.decision, "event was not recognised: \(c.event)")
        #expect(d.level == c.level)
        #expect(d.rule == c.rule)
        #expect(verdict.action == c.action)
        #expect(d.omitStages.sortedNames == c.omitStages)
        #expect(d.omitManagedFields == c.omitManagedFields)
    }
}
