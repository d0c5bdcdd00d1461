import Testing
@testable import TailshipPolicy

/// The namespace and name kube-apiserver's RequestInfo gives a URL, worked out by hand
/// from its parsing rules (k8s.io/apiserver pkg/endpoints/request).
@Suite struct RequestTargetTests {
    static let cases: [(uri: String, verb: String, namespace: String?, name: String?)] = [
        ("/api/v1/namespaces/kube-system/configmaps", "create", "kube-system", ""),
        ("/api/v1/namespaces/kube-system/configmaps/controller-leader", "update", "kube-system", "controller-leader"),
        ("/api/v1/namespaces/kube-system/configmaps/controller-leader?timeout=10s", "get", "kube-system", "controller-leader"),
        ("/api/v1/namespaces/default/pods/web-0/log?container=app", "get", "default", "web-0"),
        ("/api/v1/namespaces/default/pods/web-0/exec?command=sh&stdin=true", "create", "default", "web-0"),
        ("/apis/apps/v1/namespaces/prod/deployments/api/scale", "patch", "prod", "api"),
        ("/apis/rbac.authorization.k8s.io/v1/clusterroles/admin", "get", "", "admin"),
        ("/api/v1/nodes/node-1/status", "patch", "", "node-1"),
        // The namespace object: its name is also its namespace; status and finalize are its subresources.
        ("/api/v1/namespaces/team-a", "get", "team-a", "team-a"),
        ("/api/v1/namespaces/team-a/status", "update", "team-a", "team-a"),
        ("/api/v1/namespaces/team-a/finalize", "update", "team-a", "team-a"),
        ("/api/v1/namespaces", "create", "", ""),
        ("/api/v1/namespaces", "list", "", ""),
        // watch and proxy as path prefixes.
        ("/api/v1/watch/namespaces/default/pods/web-0", "watch", "default", "web-0"),
        ("/api/v1/watch/namespaces/default/pods", "watch", "default", ""),
        ("/api/v1/proxy/namespaces/default/services/web/healthz", "proxy", "default", "web"),
        // list and watch take the name from an exact metadata.name field selector.
        ("/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3Dcontroller-leader", "list", "kube-system", "controller-leader"),
        ("/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name=controller-leader&limit=500", "list", "kube-system", "controller-leader"),
        ("/api/v1/namespaces/kube-system/configmaps?fieldSelector=metadata.name%3D%3Dcontroller-leader&watch=true", "watch", "kube-system", "controller-leader"),
        ("/api/v1/namespaces/x/secrets?fieldSelector=type%3Dopaque%2Cmetadata.name%3Ds1", "list", "x", "s1"),
        ("/api/v1/namespaces/x/secrets?fieldSelector=metadata.name%21%3Ds1", "list", "x", ""),
        ("/api/v1/namespaces/x/secrets?fieldSelector=metadata.namespace%3Dx", "list", "x", ""),
        ("/api/v1/namespaces/x/secrets?fieldSelector=metadata.name%3Da%2Fb", "list", "x", ""),
        ("/api/v1/namespaces/x/secrets?fieldSelector=metadata.name%3Da%5Cb", "list", "x", ""),
        ("/api/v1/pods?fieldSelector=metadata.name%3Dp", "list", "", "p"),
        // Only a list or watch reads the selector; a /watch/ path does not.
        ("/api/v1/namespaces/x/secrets?fieldSelector=metadata.name%3Ds1", "deletecollection", "x", ""),
        ("/api/v1/watch/namespaces/x/secrets?fieldSelector=metadata.name%3Ds1", "watch", "x", ""),
        // Percent-encoded path segments are decoded first.
        ("/api/v1/namespaces/x/configmaps/a%2Db", "get", "x", "a-b"),
        // Not resource requests.
        ("/healthz", "get", nil, nil),
        ("/apis/apps/v1", "get", nil, nil),
        ("/api/v1", "get", nil, nil),
        ("/version?timeout=32s", "get", nil, nil),
    ]

    @Test("RequestInfo's namespace and name", arguments: cases)
    func parse(_ c: (uri: String, verb: String, namespace: String?, name: String?)) {
        let t = RequestTarget.parse(uri: Array(c.uri.utf8), verb: Array(c.verb.utf8))
        #expect(t.map { String(decoding: $0.namespace, as: UTF8.self) } == c.namespace, "\(c.uri)")
        #expect(t.map { String(decoding: $0.name, as: UTF8.self) } == c.name, "\(c.uri)")
    }

    @Test("field selectors as apimachinery reads them")
    func fieldSelectors() {
        let name = Array("metadata.name".utf8)
        func value(_ s: String) -> String? { FieldSelector.exactValue(of: name, in: Array(s.utf8)).map { String(decoding: $0, as: UTF8.self) } }
        #expect(value("metadata.name=a") == "a")
        #expect(value("metadata.name==a") == "a")
        #expect(value("metadata.name!=a") == nil)
        #expect(value("a=b,metadata.name=c") == "c")
        #expect(value("metadata.name=a\\,b") == "a,b")
        #expect(value("metadata.name=a,b") == nil)       // "b" has no operator: the selector does not parse
        #expect(value("metadata.name=a=b") == nil)       // a bare "=" in a value
        #expect(value("metadata.name=a\\x") == nil)      // an unknown escape
        #expect(value("") == nil)
    }
}
