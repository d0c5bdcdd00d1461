import Foundation
@testable import Tailship
import Testing

@Suite struct TopUsersTests {
    @Test func ranksByFailuresAndRequestsWithinTheWindow() {
        let top = TopUsers(window: 900)
        for _ in 0..<5 { top.record(user: "a", failed: false, now: 1000) }
        for _ in 0..<3 { top.record(user: "b", failed: true, now: 1000) }
        top.record(user: "c", failed: true, now: 1500)
        let r = top.report(now: 1500)
        #expect(r.topByRequests.map(\.user) == ["a", "b", "c"])
        #expect(r.topByFailures.map(\.user) == ["b", "c"])
        // 15 minutes later the first slot has left the window.
        let later = top.report(now: 1000 + 900 + 60)
        #expect(later.topByRequests.map(\.user) == ["c"])
    }

    @Test func memoryIsBoundedAndHeavyUsersSurvive() {
        let top = TopUsers(window: 900, slots: 15, capacity: 100)
        for _ in 0..<500 { top.record(user: "heavy", failed: true, now: 10) }
        for i in 0..<10_000 { top.record(user: "u\(i)", failed: false, now: 10) }
        let r = top.report(now: 10)
        #expect(r.users <= 100)
        #expect(r.approximate)
        #expect(r.topByRequests.first?.user == "heavy")
        #expect(r.topByFailures.first?.user == "heavy")
        #expect(r.topByRequests.count == 20)
    }
}

@Suite struct AuditInsightsConfigTests {
    static let base = """
        inputs: [{paths: [/var/log/a.log]}]
        output: {file: {directory: /tmp/out}}
        monitoring: {listen: "127.0.0.1:0"}
        """

    func resolve(_ extra: String, base: String = AuditInsightsConfigTests.base) throws -> ResolvedConfig {
        try ResolvedConfig.resolve(ResolvedConfig.parse(base + "\n" + extra), overrides: .init())
    }

    @Test func errorsNameTheKey() {
        let cases: [(String, String)] = [
            ("audit_metrics: {enabled: true, window: 10s}", "audit_metrics.window"),
            ("audit_metrics: {enabled: true, resources: [\"a/b/c\"]}", "audit_metrics.resources[0]"),
            ("audit_metrics: {enabled: true, freeze_windows: [{start: \"2026-01-01T00:00:00Z\"}]}", "audit_metrics.freeze_windows[0].end"),
            ("audit_metrics: {enabled: true, freeze_windows: [{start: \"yesterday\", end: \"2026-01-01T00:00:00Z\"}]}", "audit_metrics.freeze_windows[0].start"),
            ("audit_metrics: {enabled: true, freeze_windows: [{start: \"2026-01-02T00:00:00Z\", end: \"2026-01-01T00:00:00Z\"}]}", "audit_metrics.freeze_windows[0].end"),
            ("add_fields: {file: x}\nadd_source: true", "add_fields.file"),
            ("add_fields: {node: \"${TAILSHIP_TEST_UNSET_VARIABLE}\"}", "add_fields.node"),
        ]
        for (yaml, key) in cases {
            #expect { try resolve(yaml) } throws: { "\($0)".contains(key) }
        }
        #expect { try resolve("audit_metrics: {enabled: true}", base: "inputs: [{paths: [/a]}]\noutput: {file: {directory: /o}}") } throws: {
            "\($0)".contains("monitoring.listen")
        }
    }

    @Test func resourcesAndWindowsAreResolved() throws {
        let c = try resolve("""
            audit_metrics:
              enabled: true
              resources: [pods, apps/deployments, example.com/widgets]
              window: 5m
              freeze_windows: [{start: "2026-12-20T00:00:00Z", end: "2027-01-04T00:00:00Z", namespaces: [prod]}]
            add_fields: {cluster: prod-eu-1}
            """)
        let a = try #require(c.auditInsights)
        #expect(a.resources == ["": ["pods"], "apps": ["deployments"], "example.com": ["widgets"]])
        #expect(a.window == 300)
        #expect(a.freezeWindows.first?.namespaces == ["prod"])
        #expect(c.enrichment?.fields.map(\.0) == ["cluster"])
        #expect(c.describe().contains("audit_metrics:"))
        #expect(try resolve("audit_metrics: {enabled: false}").auditInsights == nil)
    }
}
