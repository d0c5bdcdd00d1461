import Testing
@testable import TailshipPolicy

/// One row of the semantics table: a policy, an event, and what the
/// apiserver's checker decides for it.
struct PolicyCase: CustomTestStringConvertible, Sendable {
    var name: String
    /// YAML after `rules:` (and optional top-level lines in `head`).
    var rules: String
    var head: String = ""
    var event: String
    var level: AuditLevel
    var rule: Int?
    var action: PolicyAction
    var omitStages: [String] = []
    var omitManagedFields = false

    var testDescription: String { name }

    var policyYAML: String {
        "apiVersion: audit.k8s.io/v1\nkind: Policy\n\(head)rules:\n\(rules)"
    }
}

/// Builds event lines field by field, in the apiserver's key order.
struct Ev {
    var level = "RequestResponse"
    var stage = "ResponseComplete"
    var verb = "get"
    /// nil: the event has no requestURI.
    var uri: String? = "/api/v1/namespaces/default/pods/p1"
    var user: String? = #"{"username":"alice","groups":["dev","system:authenticated"]}"#
    var objectRef: String? = #"{"resource":"pods","namespace":"default","name":"p1","apiVersion":"v1"}"#
    var extra = ""

    var line: String {
        var s = #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"\#(level)","auditID":"id-1","stage":"\#(stage)""#
        if let uri { s += #","requestURI":"\#(uri)""# }
        s += #","verb":"\#(verb)""#
        if let user { s += #","user":\#(user)"# }
        s += #","sourceIPs":["10.0.0.1"]"#
        if let objectRef { s += #","objectRef":\#(objectRef)"# }
        s += extra
        return s + "}"
    }

    static func ref(_ resource: String, sub: String? = nil, ns: String? = "default", group: String? = nil, name: String? = "p1") -> String {
        var parts: [String] = [#""resource":"\#(resource)""#]
        if let ns { parts.append(#""namespace":"\#(ns)""#) }
        if let name { parts.append(#""name":"\#(name)""#) }
        if let group { parts.append(#""apiGroup":"\#(group)""#) }
        if let sub { parts.append(#""subresource":"\#(sub)""#) }
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func user(_ name: String, _ groups: [String] = []) -> String {
        #"{"username":"\#(name)","groups":[\#(groups.map { "\"\($0)\"" }.joined(separator: ","))]}"#
    }
}
