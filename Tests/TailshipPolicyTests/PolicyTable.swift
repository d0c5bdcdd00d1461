@testable import TailshipPolicy

/// The matching table, written from kube-apiserver's policy checker semantics.
enum PolicyTable {
    static let podsRule = #"- {level: Request, resources: [{group: "", resources: [pods]}]}"#
    static let nonResource = Ev(uri: "/healthz", objectRef: nil)

    static func r(_ rules: String...) -> String { rules.joined(separator: "\n") + "\n" }

    static let cases: [PolicyCase] = users + groups + verbs + resources + namespaces + nonResourceURLs + order + stages + managedFields + levels

    static let users: [PolicyCase] = [
        .init(name: "users: exact name matches", rules: r("- {level: Metadata, users: [alice]}"), event: Ev().line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "users: other name does not match", rules: r("- {level: Metadata, users: [bob]}"), event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "users: any entry of the list", rules: r("- {level: Metadata, users: [bob, alice]}"), event: Ev().line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "users: no wildcard (system:* is literal)", rules: r(#"- {level: Metadata, users: ["system:*"]}"#),
              event: Ev(user: Ev.user("system:admin")).line, level: .none, rule: nil, action: .drop),
        .init(name: "users: case-sensitive", rules: r("- {level: Metadata, users: [Alice]}"), event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "users: event without user matches no users rule", rules: r("- {level: Metadata, users: [alice]}", "- {level: Request}"),
              event: Ev(user: nil).line, level: .request, rule: 1, action: .reduce),
        .init(name: "users: user null matches no users rule", rules: r("- {level: Metadata, users: [alice]}", "- {level: Request}"),
              event: Ev(user: "null").line, level: .request, rule: 1, action: .reduce),
        .init(name: "users: escaped username is compared decoded", rules: r(#"- {level: Metadata, users: ["system:admin"]}"#),
              event: Ev(user: #"{"username":"system:\u0061dmin"}"#).line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "users: impersonatedUser is not the user", rules: r("- {level: Metadata, users: [bob]}"),
              event: Ev(extra: #","impersonatedUser":{"username":"bob"}"#).line, level: .none, rule: nil, action: .drop),
    ]

    static let groups: [PolicyCase] = [
        .init(name: "userGroups: any group matches", rules: r(#"- {level: Metadata, userGroups: ["system:authenticated"]}"#), event: Ev().line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "userGroups: no group matches", rules: r(#"- {level: Metadata, userGroups: ["system:nodes"]}"#), event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "userGroups: event without user", rules: r(#"- {level: Metadata, userGroups: ["system:authenticated"]}"#),
              event: Ev(user: nil).line, level: .none, rule: nil, action: .drop),
        .init(name: "userGroups: user without groups", rules: r("- {level: Metadata, userGroups: [dev]}"),
              event: Ev(user: #"{"username":"alice"}"#).line, level: .none, rule: nil, action: .drop),
        .init(name: "users and userGroups: both must match", rules: r("- {level: Metadata, users: [alice], userGroups: [ops]}"),
              event: Ev().line, level: .none, rule: nil, action: .drop),
    ]

    static let verbs: [PolicyCase] = [
        .init(name: "verbs: exact verb", rules: r("- {level: Metadata, verbs: [list, get]}"), event: Ev().line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "verbs: other verb", rules: r("- {level: Metadata, verbs: [create]}"), event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "verbs: * is not a wildcard", rules: r(#"- {level: Metadata, verbs: ["*"]}"#), event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "verbs: apply to non-resource requests too", rules: r("- {level: Metadata, verbs: [get]}"), event: nonResource.line, level: .metadata, rule: 0, action: .reduce),
    ]

    static let resources: [PolicyCase] = [
        .init(name: "resources: core pods", rules: r(podsRule), event: Ev().line, level: .request, rule: 0, action: .reduce),
        .init(name: "resources: pods does not match pods/log", rules: r(podsRule),
              event: Ev(objectRef: Ev.ref("pods", sub: "log")).line, level: .none, rule: nil, action: .drop),
        .init(name: "resources: pods/log matches pods/log", rules: r(#"- {level: Request, resources: [{group: "", resources: [pods/log]}]}"#),
              event: Ev(objectRef: Ev.ref("pods", sub: "log")).line, level: .request, rule: 0, action: .reduce),
        .init(name: "resources: pods/log does not match bare pods", rules: r(#"- {level: Request, resources: [{group: "", resources: [pods/log]}]}"#),
              event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "resources: pods/* matches pods/log", rules: r(#"- {level: Request, resources: [{group: "", resources: ["pods/*"]}]}"#),
              event: Ev(objectRef: Ev.ref("pods", sub: "log")).line, level: .request, rule: 0, action: .reduce),
        .init(name: "resources: pods/* also matches bare pods", rules: r(#"- {level: Request, resources: [{group: "", resources: ["pods/*"]}]}"#),
              event: Ev().line, level: .request, rule: 0, action: .reduce),
        .init(name: "resources: pods/* does not match podsx", rules: r(#"- {level: Request, resources: [{group: "", resources: ["pods/*"]}]}"#),
              event: Ev(objectRef: Ev.ref("podsx")).line, level: .none, rule: nil, action: .drop),
        .init(name: "resources: */log matches pods/log", rules: r(#"- {level: Request, resources: [{group: "", resources: ["*/log"]}]}"#),
              event: Ev(objectRef: Ev.ref("pods", sub: "log")).line, level: .request, rule: 0, action: .reduce),
        .init(name: "resources: */log does not match bare pods", rules: r(#"- {level: Request, resources: [{group: "", resources: ["*/log"]}]}"#),
              event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "resources: */status does not match pods/log", rules: r(#"- {level: Request, resources: [{group: "", resources: ["*/status"]}]}"#),
              event: Ev(objectRef: Ev.ref("pods", sub: "log")).line, level: .none, rule: nil, action: .drop),
        .init(name: "resources: * matches any resource and subresource", rules: r(#"- {level: Request, resources: [{group: "", resources: ["*"]}]}"#),
              event: Ev(objectRef: Ev.ref("pods", sub: "exec")).line, level: .request, rule: 0, action: .reduce),
        .init(name: "resources: empty list means every resource of the group", rules: r(#"- {level: Request, resources: [{group: ""}]}"#),
              event: Ev(objectRef: Ev.ref("secrets")).line, level: .request, rule: 0, action: .reduce),
        .init(name: "resources: group apps matches apps", rules: r("- {level: Request, resources: [{group: apps}]}"),
              event: Ev(objectRef: Ev.ref("deployments", group: "apps")).line, level: .request, rule: 0, action: .reduce),
        .init(name: "resources: group apps does not match core", rules: r("- {level: Request, resources: [{group: apps}]}"),
              event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "resources: core group does not match apps", rules: r(podsRule),
              event: Ev(objectRef: Ev.ref("pods", group: "apps")).line, level: .none, rule: nil, action: .drop),
        .init(name: "resources: any entry of the list", rules: r(#"- {level: Request, resources: [{group: apps}, {group: "", resources: [pods]}]}"#),
              event: Ev().line, level: .request, rule: 0, action: .reduce),
        .init(name: "resourceNames: name listed", rules: r(#"- {level: Request, resources: [{group: "", resources: [pods], resourceNames: [p0, p1]}]}"#),
              event: Ev().line, level: .request, rule: 0, action: .reduce),
        .init(name: "resourceNames: name not listed", rules: r(#"- {level: Request, resources: [{group: "", resources: [pods], resourceNames: [p2]}]}"#),
              event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "resourceNames: event without a name (list)", rules: r(#"- {level: Request, resources: [{group: "", resources: [pods], resourceNames: [p1]}]}"#),
              event: Ev(verb: "list", uri: "/api/v1/namespaces/default/pods", objectRef: Ev.ref("pods", name: nil)).line, level: .none, rule: nil, action: .drop),
        .init(name: "resources: rule does not match a non-resource request", rules: r(podsRule), event: nonResource.line, level: .none, rule: nil, action: .drop),
    ] + requestInfo

    /// The seed's leader-election policy: the apiserver matched `resourceNames` against the name in
    /// the URL (RequestInfo), not the one a create's body later put into `objectRef`.
    static let leader = r(#"- {level: None, resources: [{group: "", resources: [configmaps], resourceNames: [controller-leader]}]}"#, "- {level: Metadata}")
    static let leaderRef = Ev.ref("configmaps", ns: "kube-system", name: "controller-leader")
    static let configmaps = "/api/v1/namespaces/kube-system/configmaps"

    static let requestInfo: [PolicyCase] = [
        .init(name: "resourceNames: a create's name came from its body: not matched", rules: leader,
              event: Ev(verb: "create", uri: configmaps, objectRef: leaderRef).line, level: .metadata, rule: 1, action: .reduce),
        .init(name: "resourceNames: an update names it in the URL", rules: leader,
              event: Ev(verb: "update", uri: configmaps + "/controller-leader", objectRef: leaderRef).line, level: .none, rule: 0, action: .drop),
        .init(name: "resourceNames: a list with fieldSelector metadata.name", rules: leader,
              event: Ev(verb: "list", uri: configmaps + "?fieldSelector=metadata.name%3Dcontroller-leader&limit=1", objectRef: leaderRef).line,
              level: .none, rule: 0, action: .drop),
        .init(name: "resourceNames: a watch with fieldSelector metadata.name==", rules: leader,
              event: Ev(verb: "watch", uri: configmaps + "?fieldSelector=metadata.name%3D%3Dcontroller-leader&watch=true",
                        objectRef: leaderRef).line, level: .none, rule: 0, action: .drop),
        .init(name: "resourceNames: a list with metadata.name!= names nothing", rules: leader,
              event: Ev(verb: "list", uri: configmaps + "?fieldSelector=metadata.name%21%3Dcontroller-leader",
                        objectRef: Ev.ref("configmaps", ns: "kube-system", name: nil)).line, level: .metadata, rule: 1, action: .reduce),
        .init(name: "resourceNames: a subresource request names its object", rules: r(#"- {level: None, resources: [{group: "", resources: ["pods/exec"], resourceNames: [p1]}]}"#),
              event: Ev(verb: "create", uri: "/api/v1/namespaces/default/pods/p1/exec?command=sh", objectRef: Ev.ref("pods", sub: "exec")).line,
              level: .none, rule: 0, action: .drop),
        .init(name: "resourceNames: without requestURI, objectRef's name", rules: leader,
              event: Ev(verb: "create", uri: nil, objectRef: leaderRef).line, level: .none, rule: 0, action: .drop),
        .init(name: "namespaces: a namespace's own requests are in it", rules: r("- {level: Request, namespaces: [team-a]}"),
              event: Ev(verb: "get", uri: "/api/v1/namespaces/team-a", objectRef: Ev.ref("namespaces", ns: nil, name: "team-a")).line,
              level: .request, rule: 0, action: .reduce),
    ]

    static let namespaces: [PolicyCase] = [
        .init(name: "namespaces: listed namespace", rules: r("- {level: Request, namespaces: [default]}"), event: Ev().line, level: .request, rule: 0, action: .reduce),
        .init(name: "namespaces: other namespace", rules: r("- {level: Request, namespaces: [kube-system]}"), event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "namespaces: [\"\"] matches cluster-scoped", rules: r(#"- {level: Request, namespaces: [""]}"#),
              event: Ev(uri: "/api/v1/nodes/p1", objectRef: Ev.ref("nodes", ns: nil)).line, level: .request, rule: 0, action: .reduce),
        .init(name: "namespaces: [\"\"] does not match a namespaced object", rules: r(#"- {level: Request, namespaces: [""]}"#),
              event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "namespaces: never match non-resource requests", rules: r(#"- {level: Request, namespaces: [""]}"#),
              event: nonResource.line, level: .none, rule: nil, action: .drop),
        .init(name: "namespaces and resources: both must match", rules: r(#"- {level: Request, namespaces: [kube-system], resources: [{group: "", resources: [pods]}]}"#),
              event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "namespaces and resources: both match", rules: r(#"- {level: Request, namespaces: [default], resources: [{group: "", resources: [pods]}]}"#),
              event: Ev().line, level: .request, rule: 0, action: .reduce),
    ]

    static let nonResourceURLs: [PolicyCase] = [
        .init(name: "nonResourceURLs: exact path", rules: r("- {level: Metadata, nonResourceURLs: [/healthz]}"), event: nonResource.line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "nonResourceURLs: exact does not match a longer path", rules: r("- {level: Metadata, nonResourceURLs: [/healthz]}"),
              event: Ev(uri: "/healthz/etcd", objectRef: nil).line, level: .none, rule: nil, action: .drop),
        .init(name: "nonResourceURLs: prefix with *", rules: r(#"- {level: Metadata, nonResourceURLs: ["/healthz*"]}"#),
              event: Ev(uri: "/healthz/etcd", objectRef: nil).line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "nonResourceURLs: prefix is a string prefix", rules: r(#"- {level: Metadata, nonResourceURLs: ["/healthz*"]}"#),
              event: Ev(uri: "/healthzz", objectRef: nil).line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "nonResourceURLs: query string is ignored", rules: r("- {level: Metadata, nonResourceURLs: [/version]}"),
              event: Ev(uri: "/version?timeout=32s", objectRef: nil).line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "nonResourceURLs: query string is not part of a prefix match", rules: r(#"- {level: Metadata, nonResourceURLs: ["/metrics?*"]}"#),
              event: Ev(uri: "/metrics?x=1", objectRef: nil).line, level: .none, rule: nil, action: .drop),
        .init(name: "nonResourceURLs: * matches any path", rules: r(#"- {level: Metadata, nonResourceURLs: ["*"]}"#),
              event: Ev(uri: "/openapi/v2", objectRef: nil).line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "nonResourceURLs: never match resource requests", rules: r(#"- {level: Metadata, nonResourceURLs: ["*"]}"#),
              event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "nonResourceURLs: /api* matches the /apis discovery path", rules: r(#"- {level: Metadata, nonResourceURLs: ["/api*"]}"#),
              event: Ev(uri: "/apis?timeout=32s", objectRef: nil).line, level: .metadata, rule: 0, action: .reduce),
    ]

    static let order: [PolicyCase] = [
        .init(name: "order: first matching rule wins", rules: r("- {level: Metadata, users: [alice]}", "- {level: Request, users: [alice]}"),
              event: Ev().line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "order: later rule when the first does not match", rules: r("- {level: None, users: [bob]}", "- {level: Request}"),
              event: Ev().line, level: .request, rule: 1, action: .reduce),
        .init(name: "order: None rule first drops", rules: r("- {level: None, verbs: [get]}", "- {level: RequestResponse}"),
              event: Ev().line, level: .none, rule: 0, action: .drop),
        .init(name: "order: no rule matches means None", rules: r("- {level: Metadata, verbs: [create]}", "- {level: Request, users: [bob]}"),
              event: Ev().line, level: .none, rule: nil, action: .drop),
        .init(name: "order: a rule with only a level matches resource requests", rules: r("- {level: RequestResponse}"), event: Ev().line, level: .requestResponse, rule: 0, action: .keep),
        .init(name: "order: a rule with only a level matches non-resource requests", rules: r("- {level: RequestResponse}"), event: nonResource.line, level: .requestResponse, rule: 0, action: .keep),
    ]

    static let stages: [PolicyCase] = [
        .init(name: "omitStages: rule omits the event's stage", rules: r("- {level: RequestResponse, omitStages: [ResponseComplete]}"),
              event: Ev().line, level: .requestResponse, rule: 0, action: .drop, omitStages: ["ResponseComplete"]),
        .init(name: "omitStages: policy omits the event's stage", rules: r("- {level: RequestResponse}"), head: "omitStages: [RequestReceived]\n",
              event: Ev(stage: "RequestReceived").line, level: .requestResponse, rule: 0, action: .drop, omitStages: ["RequestReceived"]),
        .init(name: "omitStages: union of policy and rule, sorted", rules: r("- {level: RequestResponse, omitStages: [ResponseStarted, Panic]}"),
              head: "omitStages: [RequestReceived]\n", event: Ev().line, level: .requestResponse, rule: 0, action: .keep,
              omitStages: ["Panic", "RequestReceived", "ResponseStarted"]),
        .init(name: "omitStages: no match reports the policy's stages", rules: r("- {level: Metadata, users: [bob], omitStages: [Panic]}"),
              head: "omitStages: [RequestReceived]\n", event: Ev().line, level: .none, rule: nil, action: .drop, omitStages: ["RequestReceived"]),
        .init(name: "omitStages: another stage is kept", rules: r("- {level: RequestResponse, omitStages: [RequestReceived]}"),
              event: Ev(stage: "Panic").line, level: .requestResponse, rule: 0, action: .keep, omitStages: ["RequestReceived"]),
    ]

    static let managedFields: [PolicyCase] = [
        .init(name: "omitManagedFields: policy true, rule unset", rules: r("- {level: RequestResponse}"), head: "omitManagedFields: true\n",
              event: Ev().line, level: .requestResponse, rule: 0, action: .keep, omitManagedFields: true),
        .init(name: "omitManagedFields: policy true, rule false", rules: r("- {level: RequestResponse, omitManagedFields: false}"), head: "omitManagedFields: true\n",
              event: Ev().line, level: .requestResponse, rule: 0, action: .keep, omitManagedFields: false),
        .init(name: "omitManagedFields: policy false, rule true", rules: r("- {level: RequestResponse, omitManagedFields: true}"), head: "omitManagedFields: false\n",
              event: Ev().line, level: .requestResponse, rule: 0, action: .keep, omitManagedFields: true),
        .init(name: "omitManagedFields: policy unset, rule unset", rules: r("- {level: RequestResponse}"),
              event: Ev().line, level: .requestResponse, rule: 0, action: .keep, omitManagedFields: false),
        .init(name: "omitManagedFields: no match takes the policy's", rules: r("- {level: Request, users: [bob], omitManagedFields: false}"), head: "omitManagedFields: true\n",
              event: Ev().line, level: .none, rule: nil, action: .drop, omitManagedFields: true),
    ]

    static let levels: [PolicyCase] = [
        .init(name: "level: never raised above the event's", rules: r("- {level: RequestResponse}"),
              event: Ev(level: "Metadata").line, level: .requestResponse, rule: 0, action: .keep),
        .init(name: "level: equal is kept as is", rules: r("- {level: Request}"), event: Ev(level: "Request").line, level: .request, rule: 0, action: .keep),
        .init(name: "level: Request below RequestResponse reduces", rules: r("- {level: Request}"), event: Ev().line, level: .request, rule: 0, action: .reduce),
        .init(name: "level: Metadata below Request reduces", rules: r("- {level: Metadata}"), event: Ev(level: "Request").line, level: .metadata, rule: 0, action: .reduce),
        .init(name: "level: Metadata event under Metadata is kept", rules: r("- {level: Metadata}"), event: Ev(level: "Metadata").line, level: .metadata, rule: 0, action: .keep),
    ]
}
