#!/usr/bin/env python3
"""Writes the redaction canary corpus: audit events shaped as kube-apiserver writes them
(field order, compact JSON, Go's escaping of <, > and &), each secret value a unique canary.

The envelopes (user, sourceIPs, userAgent, objectRef, timestamps) follow the real events in
Tests/Fixtures/real/falcosecurity-falco_k8s_audit/create_secret.json (Apache-2.0) and the
OpenShift TokenReview events in Tests/Fixtures/real/; the objects follow the Kubernetes API
(Secret, SecretList, TokenRequest, TokenReview, JSON and merge patches).

Outputs, next to each other in Tests/Fixtures/redaction/:
  canary-events.log  the events, one per line
  canaries.txt       every value that must not leave the node, as written in the log
Usage: make_corpus.py OUTDIR
"""
import base64, json, sys

def go_json(value):
    """Compact JSON with Go's encoder's escaping of <, > and &."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

class Corpus:
    def __init__(self):
        self.events, self.canaries, self.n = [], [], 0

    def canary(self, kind):
        self.n += 1
        value = f"canary-{kind}-{self.n:03d}-{(self.n * 2654435761) % 2**32:08x}"
        self.canaries.append(value)
        return value

    def jwt(self, kind):
        """A token-shaped canary: the whole value is what is redacted."""
        value = "eyJhbGciOiJSUzI1NiJ9." + self.canary(kind)
        self.canaries[-1] = value
        return value

    def b64canary(self):
        self.n += 1
        value = base64.b64encode(f"canary-data-{self.n:03d}-s3cr3t".encode()).decode()
        self.canaries.append(value)
        return value

    def event(self, verb, uri, obj_ref, level="RequestResponse", request=None, response=None, code=200, user="minikube-user"):
        self.n += 1
        e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level,
             "auditID": f"6f1c{self.n:04d}-ab56-46c5-8b02-96336f5e78d7", "stage": "ResponseComplete",
             "requestURI": uri, "verb": verb,
             "user": {"username": user, "groups": ["system:masters", "system:authenticated"]},
             "sourceIPs": ["192.168.64.1"], "userAgent": "kubectl/v1.29.3 (linux/amd64) kubernetes/6813625",
             "objectRef": obj_ref, "responseStatus": {"metadata": {}, "code": code}}
        if request is not None: e["requestObject"] = request
        if response is not None: e["responseObject"] = response
        e["requestReceivedTimestamp"] = "2026-11-30T10:00:%02d.541358Z" % (self.n % 60)
        e["stageTimestamp"] = "2026-11-30T10:00:%02d.548299Z" % (self.n % 60)
        e["annotations"] = {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}
        self.events.append(go_json(e))

def secret(c, name, with_annotation=True, string_data=True, uid=None):
    data = {"password": c.b64canary(), "username": c.b64canary()}
    meta = {"name": name, "namespace": "default"}
    if uid:
        meta.update({"uid": uid, "resourceVersion": "4711", "creationTimestamp": "2026-11-30T10:00:00Z"})
    obj = {"kind": "Secret", "apiVersion": "v1", "metadata": meta, "data": data, "type": "Opaque"}
    if string_data:
        obj["stringData"] = {"token": c.canary("string"), "odd<&>": c.canary("escaped<&>")}
    if with_annotation:
        applied = {"apiVersion": "v1", "data": {"password": c.b64canary()}, "kind": "Secret",
                   "metadata": {"annotations": {}, "name": name, "namespace": "default"},
                   "stringData": {"api-key": c.canary("applied")}, "type": "Opaque"}
        meta["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": go_json(applied) + "\n",
                               "example.com/owner": "team-a"}
    if uid:
        meta["managedFields"] = [{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
                                  "time": "2026-11-30T10:00:00Z", "fieldsType": "FieldsV1",
                                  "fieldsV1": {"f:data": {".": {}, "f:password": {}, "f:username": {}}, "f:type": {}}}]
    return obj

def build():
    c = Corpus()
    ref = lambda name=None, sub=None: {k: v for k, v in {"resource": "secrets", "namespace": "default", "name": name,
                                                          "subresource": sub, "apiVersion": "v1"}.items() if v}
    # Secret create, update, get, list at RequestResponse.
    c.event("create", "/api/v1/namespaces/default/secrets?fieldManager=kubectl-client-side-apply", ref("db-credentials"),
            request=secret(c, "db-credentials"), response=secret(c, "db-credentials", uid="0b5e3f6a-1111-4c2a-9d1e-5a7f2b9c0001"), code=201)
    c.event("update", "/api/v1/namespaces/default/secrets/db-credentials", ref("db-credentials"),
            request=secret(c, "db-credentials", uid="0b5e3f6a-1111-4c2a-9d1e-5a7f2b9c0001"),
            response=secret(c, "db-credentials", uid="0b5e3f6a-1111-4c2a-9d1e-5a7f2b9c0001"))
    c.event("get", "/api/v1/namespaces/default/secrets/db-credentials", ref("db-credentials"),
            response=secret(c, "db-credentials", string_data=False, uid="0b5e3f6a-1111-4c2a-9d1e-5a7f2b9c0001"))
    items = [secret(c, f"app-{i}", with_annotation=i != 1, string_data=False, uid=f"0b5e3f6a-2222-4c2a-9d1e-5a7f2b9c000{i}") for i in range(3)]
    c.event("list", "/api/v1/namespaces/default/secrets", ref(),
            response={"kind": "SecretList", "apiVersion": "v1", "metadata": {"resourceVersion": "4712"}, "items": items})
    # Patches: strategic merge, JSON patch on a key and on the whole map, and on the annotation.
    c.event("patch", "/api/v1/namespaces/default/secrets/db-credentials", ref("db-credentials"),
            request={"data": {"password": c.b64canary()}, "metadata": {"annotations": {"example.com/rotated": "yes"}}},
            response=secret(c, "db-credentials", uid="0b5e3f6a-1111-4c2a-9d1e-5a7f2b9c0001"))
    applied = go_json({"apiVersion": "v1", "data": {"password": c.b64canary()}, "kind": "Secret",
                       "metadata": {"annotations": {}, "name": "db-credentials", "namespace": "default"}}) + "\n"
    c.event("patch", "/api/v1/namespaces/default/secrets/db-credentials", ref("db-credentials"),
            request=[{"op": "replace", "path": "/data/password", "value": c.b64canary()},
                     {"op": "add", "path": "/stringData", "value": {"pin": c.canary("patch")}},
                     {"op": "replace", "path": "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration", "value": applied},
                     {"op": "replace", "path": "/metadata/labels/tier", "value": "backend"}])
    # Bootstrap token (kube-system), created by kubeadm.
    c.event("create", "/api/v1/namespaces/kube-system/secrets", {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"},
            request={"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "bootstrap-token-abcdef", "namespace": "kube-system"},
                     "type": "bootstrap.kubernetes.io/token",
                     "stringData": {"token-id": c.canary("tokenid"), "token-secret": c.canary("tokensecret"), "usage-bootstrap-signing": c.canary("usage")}},
            code=201, user="kubernetes-admin")
    # Unchanged: a Secret without data, with data null, and one at Metadata level.
    c.event("create", "/api/v1/namespaces/default/secrets", ref("empty"),
            request={"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "empty", "namespace": "default"}, "type": "Opaque"}, code=201)
    c.event("create", "/api/v1/namespaces/default/secrets", ref("nulled"),
            request={"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "nulled", "namespace": "default"}, "data": None}, code=201)
    c.event("delete", "/api/v1/namespaces/default/secrets/db-credentials", ref("db-credentials"), level="Metadata")
    # TokenRequest and TokenReview.
    c.event("create", "/api/v1/namespaces/default/serviceaccounts/builder/token",
            {"resource": "serviceaccounts", "namespace": "default", "name": "builder", "apiVersion": "v1", "subresource": "token"},
            request={"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None},
                     "spec": {"audiences": ["https://kubernetes.default.svc"], "expirationSeconds": 3600, "boundObjectRef": None},
                     "status": {"token": "", "expirationTimestamp": None}},
            response={"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
                      "metadata": {"name": "builder", "namespace": "default", "creationTimestamp": "2026-11-30T10:00:00Z"},
                      "spec": {"audiences": ["https://kubernetes.default.svc"], "expirationSeconds": 3600, "boundObjectRef": None},
                      "status": {"token": c.jwt("jwt"), "expirationTimestamp": "2026-11-30T11:00:00Z"}},
            code=201, user="system:serviceaccount:ci:runner")
    review_token = c.jwt("review")
    spec = {"token": review_token, "audiences": ["https://kubernetes.default.svc"]}
    c.event("create", "/apis/authentication.k8s.io/v1/tokenreviews",
            {"resource": "tokenreviews", "apiGroup": "authentication.k8s.io", "apiVersion": "v1"},
            request={"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None}, "spec": spec, "status": {"user": {}}},
            response={"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None}, "spec": spec,
                      "status": {"authenticated": True, "user": {"username": "system:serviceaccount:default:builder", "groups": ["system:serviceaccounts"]},
                                 "audiences": ["https://kubernetes.default.svc"]}},
            code=201, user="system:serviceaccount:openshift-oauth-apiserver:oauth-apiserver-sa")
    # Custom paths (redact.paths in the test's configuration): a CRD's spec.password, every item's, an annotation.
    db = lambda name: {"apiVersion": "example.com/v1", "kind": "Database",
                       "metadata": {"name": name, "namespace": "default", "annotations": {"example.com/api-key": c.canary("annotation")}},
                       "spec": {"engine": "postgres", "password": c.canary("custom")}}
    dref = {"resource": "databases", "namespace": "default", "apiGroup": "example.com", "apiVersion": "v1"}
    c.event("create", "/apis/example.com/v1/namespaces/default/databases", dref, request=db("orders"), code=201)
    c.event("list", "/apis/example.com/v1/namespaces/default/databases", dref,
            response={"apiVersion": "example.com/v1", "kind": "DatabaseList", "metadata": {}, "items": [db("a"), db("b")]})
    # A ConfigMap's own last-applied annotation (unchanged).
    cm = {"apiVersion": "v1", "data": {"greeting": "hello"}, "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "default"}}
    c.event("create", "/api/v1/namespaces/default/configmaps", {"resource": "configmaps", "namespace": "default", "name": "settings", "apiVersion": "v1"},
            request={"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "settings", "namespace": "default",
                     "annotations": {"kubectl.kubernetes.io/last-applied-configuration": go_json(cm) + "\n"}}, "data": {"greeting": "hello"}}, code=201)
    return c

if __name__ == "__main__":
    out = sys.argv[1]
    corpus = build()
    with open(f"{out}/canary-events.log", "w") as f:
        f.write("\n".join(corpus.events) + "\n")
    with open(f"{out}/canaries.txt", "w") as f:
        f.write("\n".join(corpus.canaries) + "\n")
    print(f"{len(corpus.events)} events, {len(corpus.canaries)} canaries")
