import Testing
@testable import TailshipPolicy

@Suite("Policy files are validated as the apiserver does")
struct PolicyValidationTests {
    func messages(_ yaml: String) -> [String] {
        do {
            _ = try PolicyLoader.parse(yaml)
            return []
        } catch let e as PolicyError {
            return e.messages
        } catch {
            return ["\(error)"]
        }
    }

    func policy(_ rules: String, head: String = "") -> String {
        "apiVersion: audit.k8s.io/v1\nkind: Policy\n\(head)rules:\n\(rules)\n"
    }

    @Test("v1 and v1beta1, YAML and JSON, load")
    func versions() throws {
        #expect(try PolicyLoader.parse(policy("- level: Metadata")).apiVersion == "audit.k8s.io/v1")
        let beta = try PolicyLoader.parse("apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]")
        #expect(beta.apiVersion == "audit.k8s.io/v1beta1")
        let json = try PolicyLoader.parse(#"{"apiVersion":"audit.k8s.io/v1","kind":"Policy","omitStages":["RequestReceived"],"rules":[{"level":"Request","verbs":["get"]}]}"#)
        #expect(json.rules.count == 1)
        #expect(json.omitStages.contains(.requestReceived))
    }

    @Test("every problem is named by its field", arguments: [
        ("- level: Verbose", "rules[0].level: must be one of None, Metadata, Request, RequestResponse, not \"Verbose\""),
        ("- users: [a]", "rules[0].level: required (None, Metadata, Request or RequestResponse)"),
        ("- level: None\n- level: Metadata\n  omitStages: [Started]", "rules[1].omitStages[0]: must be one of RequestReceived, ResponseStarted, ResponseComplete, Panic, not \"Started\""),
        ("- {level: None}\n- {level: None}\n- {level: None}\n- {level: None, nonResourceURLs: [healthz]}", "rules[3].nonResourceURLs[0]: must start with \"/\" (or be exactly \"*\"), not \"healthz\""),
        ("- {level: None, nonResourceURLs: [\"/a*b\"]}", "rules[0].nonResourceURLs[0]: \"*\" may only be the last character, in \"/a*b\""),
        ("- {level: None, nonResourceURLs: [/a], resources: [{group: \"\"}]}", "rules[0].nonResourceURLs: a rule cannot apply to both resources or namespaces and non-resource URLs"),
        ("- {level: None, nonResourceURLs: [/a], namespaces: [x]}", "rules[0].nonResourceURLs: a rule cannot apply to both resources or namespaces and non-resource URLs"),
        ("- {level: None, resources: [{group: \"\", resourceNames: [x]}]}", "rules[0].resources[0].resourceNames: using resourceNames requires at least one resource in resources"),
        ("- {level: None, resources: [{group: rbac.authorization.k8s.io/v1}]}", "rules[0].resources[0].group: \"rbac.authorization.k8s.io/v1\" is not an API group name (lower-case DNS subdomain, without a version: rbac.authorization.k8s.io, not rbac.authorization.k8s.io/v1)"),
        ("- {level: None, verb: [get]}", "rules[0].verb: unknown field (a rule has level, users, userGroups, verbs, resources, namespaces, nonResourceURLs, omitStages, omitManagedFields)"),
        ("- {level: None, users: alice}", "rules[0].users: must be a list of strings"),
        ("- {level: None, omitManagedFields: maybe}", "rules[0].omitManagedFields: must be true or false"),
    ])
    func ruleErrors(_ rules: String, _ expected: String) {
        #expect(messages(policy(rules)) == [expected])
    }

    @Test("policy-level problems")
    func policyErrors() {
        #expect(messages("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n") == ["rules: a policy with no rules records nothing; give at least one rule"])
        #expect(messages("apiVersion: audit.k8s.io/v1\nkind: Policy\n") == ["rules: required, with at least one rule"])
        #expect(messages("apiVersion: audit.k8s.io/v1alpha1\nkind: Policy\nrules: [{level: None}]") == ["apiVersion: must be audit.k8s.io/v1 or audit.k8s.io/v1beta1, not \"audit.k8s.io/v1alpha1\""])
        #expect(messages("apiVersion: audit.k8s.io/v1\nkind: Pod\nrules: [{level: None}]") == ["kind: must be Policy, not \"Pod\""])
        #expect(messages("kind: Policy\nrules: [{level: None}]") == ["apiVersion: required (audit.k8s.io/v1 or audit.k8s.io/v1beta1)"])
        #expect(messages(policy("- level: None", head: "omitStages: [Done]\n")) == ["omitStages[0]: must be one of RequestReceived, ResponseStarted, ResponseComplete, Panic, not \"Done\""])
        #expect(messages("just text") == ["the file must hold one Policy object"])
        #expect(messages("{ not: [valid") .first?.hasPrefix("not valid YAML or JSON") == true)
    }

    @Test("several problems are all reported")
    func several() {
        let m = messages(policy("- level: Loud\n- {level: None, nonResourceURLs: [x*y]}"))
        #expect(m.count == 3)
        #expect(m.contains { $0.hasPrefix("rules[0].level") })
        #expect(m.contains { $0.hasPrefix("rules[1].nonResourceURLs[0]: must start") })
        #expect(m.contains { $0.hasPrefix("rules[1].nonResourceURLs[0]: \"*\" may only") })
    }

    @Test("the core group, written three ways, and named groups are valid")
    func groups() throws {
        let p = try PolicyLoader.parse(policy(#"- {level: None, resources: [{group: ""}, {group: }, {}, {group: apps, resources: [deployments/*]}]}"#))
        #expect(p.rules[0].resources.map(\.group) == ["", "", "", "apps"])
    }

    /// Each rule of the apiserver's policy validation (k8s.io/apiserver pkg/apis/audit/validation,
    /// plus the loader's refusal of a policy without rules): a policy it accepts, and one it
    /// refuses with the field named.
    @Test("each validation rule: accepted and rejected", arguments: [
        ("level is required", "- level: Metadata", "- verbs: [get]", "rules[0].level: required"),
        ("level is one of four", "- level: RequestResponse", "- level: All", "rules[0].level: must be one of"),
        ("omitStages are stages", "- {level: None, omitStages: [Panic]}", "- {level: None, omitStages: [ResponseDone]}", "rules[0].omitStages[0]: must be one of"),
        ("non-resource URLs start with /", "- {level: None, nonResourceURLs: [/healthz]}", "- {level: None, nonResourceURLs: [healthz]}", "rules[0].nonResourceURLs[0]: must start with"),
        ("* only last in a non-resource URL", "- {level: None, nonResourceURLs: [\"/api*\"]}", "- {level: None, nonResourceURLs: [\"/*/x\"]}", "rules[0].nonResourceURLs[0]: \"*\" may only be the last"),
        ("URLs or resources, not both", "- {level: None, nonResourceURLs: [\"*\"]}", "- {level: None, nonResourceURLs: [\"*\"], resources: [{resources: [pods]}]}", "rules[0].nonResourceURLs: a rule cannot apply"),
        ("URLs or namespaces, not both", "- {level: None, namespaces: [a]}", "- {level: None, nonResourceURLs: [/x], namespaces: [a]}", "rules[0].nonResourceURLs: a rule cannot apply"),
        ("group is a DNS-1123 subdomain", "- {level: None, resources: [{group: apps}]}", "- {level: None, resources: [{group: Apps}]}", "rules[0].resources[0].group: \"Apps\" is not an API group name"),
        ("no wildcard group", "- {level: None, resources: [{group: \"\", resources: [\"*\"]}]}", "- {level: None, resources: [{group: \"*\", resources: [pods]}]}", "rules[0].resources[0].group: \"*\" is not an API group name"),
        ("no version in a group", "- {level: None, resources: [{group: rbac.authorization.k8s.io}]}", "- {level: None, resources: [{group: rbac.authorization.k8s.io/v1}]}", "rules[0].resources[0].group:"),
        ("resourceNames need resources", "- {level: None, resources: [{resources: [configmaps], resourceNames: [a]}]}", "- {level: None, resources: [{}, {resourceNames: [a]}]}", "rules[0].resources[1].resourceNames: using resourceNames requires"),
        ("at least one rule", "- level: None", "[]", "rules: a policy with no rules"),
    ])
    func validationRule(_ name: String, _ accepted: String, _ rejected: String, _ message: String) {
        #expect(messages(policy(accepted)).isEmpty, "\(name): \(messages(policy(accepted)))")
        let refused = messages(policy(rejected).replacingOccurrences(of: "rules:\n[]", with: "rules: []"))
        #expect(refused.count == 1 && refused[0].hasPrefix(message), "\(name): \(refused)")
    }
}
