import Foundation
import Testing
import TailshipTestSupport
import Yams

/// packaging/kubernetes/: valid against the Kubernetes OpenAPI schemas
/// (PyPI's kubernetes-validate, offline, strict), and the DaemonSet has the
/// properties DEPLOY.md promises.
@Suite struct KubernetesManifestTests {
    static let directory = URL(fileURLWithPath: PyReceiver.toolsDirectory).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("packaging/kubernetes").path

    static func load(_ name: String) throws -> [String: Any] {
        let text = try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    /// The files the kustomization renders (resources only, no patches: rendering is concatenation).
    static func resources() throws -> [String] {
        let kustomization = try load("kustomization.yaml")
        return try #require(kustomization["resources"] as? [String])
    }

    static func validate(_ paths: [String]) throws -> (Int32, String) {
        try runCommand(["python3", "-m", "kubernetes_validate", "--strict", "--no-warn", "-k", "1.33.0"] + paths)
    }

    @Test func everyManifestMatchesTheKubernetesSchemas() throws {
        let files = try Self.resources()
        #expect(Set(files) == ["namespace.yaml", "serviceaccount.yaml", "configmap.yaml", "daemonset.yaml"])
        let (status, output) = try Self.validate(files.map { "\(Self.directory)/\($0)" })
        #expect(status == 0, "\(output)")
        #expect(output.components(separatedBy: "passed").count - 1 == files.count, "\(output)")
    }

    @Test func theValidatorRejectsAMisspeltField() throws {
        let dir = TempDirectory()
        let text = try String(contentsOfFile: "\(Self.directory)/daemonset.yaml", encoding: .utf8)
            .replacingOccurrences(of: "readinessProbe:", with: "readinesProbe:")
        try text.write(toFile: dir.file("bad.yaml"), atomically: true, encoding: .utf8)
        let (status, output) = try Self.validate([dir.file("bad.yaml")])
        #expect(status != 0)
        #expect(output.contains("readinesProbe"))
    }

    @Test func theDaemonSetRunsOnControlPlanesWithProbesReadOnlyLogsAndOneCapability() throws {
        let ds = try Self.load("daemonset.yaml")
        let pod = try #require(((ds["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        #expect((pod["nodeSelector"] as? [String: Any])?["node-role.kubernetes.io/control-plane"] as? String == "")
        let tolerations = try #require(pod["tolerations"] as? [[String: Any]])
        for key in ["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"] {
            #expect(tolerations.contains { $0["key"] as? String == key && $0["operator"] as? String == "Exists" && $0["effect"] as? String == "NoSchedule" })
        }
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let port = try #require((container["ports"] as? [[String: Any]])?.first)
        #expect(port["name"] as? String == "metrics")
        func probe(_ name: String) -> (path: String?, port: String?) {
            let get = (container[name] as? [String: Any])?["httpGet"] as? [String: Any]
            return (get?["path"] as? String, get?["port"] as? String)
        }
        #expect(probe("livenessProbe") == ("/healthz", "metrics"))
        #expect(probe("readinessProbe") == ("/readyz", "metrics"))

        // The config it runs listens on that port, keeps its registry on the host path, and stops in time.
        let config = try Self.podConfig()
        #expect((config["monitoring"] as? [String: Any])?["listen"] as? String == "0.0.0.0:\(port["containerPort"] as? Int ?? -1)")
        let mounts = try #require(container["volumeMounts"] as? [[String: Any]])
        let volumes = try #require(pod["volumes"] as? [[String: Any]])
        func hostPath(ofMountAt path: String) -> (hostPath: String?, readOnly: Bool) {
            guard let m = mounts.first(where: { $0["mountPath"] as? String == path }) else { return (nil, false) }
            let v = volumes.first { $0["name"] as? String == m["name"] as? String }
            return ((v?["hostPath"] as? [String: Any])?["path"] as? String, m["readOnly"] as? Bool ?? false)
        }
        let inputs = try #require(config["inputs"] as? [[String: Any]])
        let auditLog = try #require((inputs.first?["paths"] as? [String])?.first)
        let logDir = (auditLog as NSString).deletingLastPathComponent
        #expect(hostPath(ofMountAt: logDir) == (logDir, true), "read-only: nothing is written beside the log")
        #expect(config["pins"] == nil || (config["pins"] as? [String: Any])?["directory"] == nil, "the default pin directory is beside the registry")
        let registry = try #require((config["registry"] as? [String: Any])?["path"] as? String)
        let stateDir = (registry as NSString).deletingLastPathComponent
        #expect(hostPath(ofMountAt: stateDir) == (stateDir, false))
        #expect(((config["dead_letter"] as? [String: Any])?["directory"] as? String)?.hasPrefix(stateDir + "/") == true)
        let grace = try #require(pod["terminationGracePeriodSeconds"] as? Int)
        let shutdown = try #require(config["shutdown_timeout"] as? String)
        #expect(grace > Int(shutdown.dropLast())!)

        let security = try #require(container["securityContext"] as? [String: Any])
        #expect(security["readOnlyRootFilesystem"] as? Bool == true)
        #expect(security["allowPrivilegeEscalation"] as? Bool == false)
        #expect(security["privileged"] as? Bool != true)
        let caps = try #require(security["capabilities"] as? [String: Any])
        #expect(caps["drop"] as? [String] == ["ALL"])
        #expect(caps["add"] as? [String] == ["DAC_READ_SEARCH"])
        let resources = try #require(container["resources"] as? [String: Any])
        for kind in ["requests", "limits"] {
            let r = try #require(resources[kind] as? [String: Any])
            #expect(r["cpu"] != nil && r["memory"] != nil, "\(kind)")
        }
        let annotations = try #require(((ds["spec"] as? [String: Any])?["template"] as? [String: Any]).flatMap { ($0["metadata"] as? [String: Any])?["annotations"] as? [String: Any] })
        #expect(annotations["prometheus.io/scrape"] as? String == "true")
        #expect(annotations["prometheus.io/port"] as? String == "9880")
        let env = try #require(container["env"] as? [[String: Any]])
        #expect(env.contains { $0["name"] as? String == "NODE_NAME"
            && (($0["valueFrom"] as? [String: Any])?["fieldRef"] as? [String: Any])?["fieldPath"] as? String == "spec.nodeName" })
    }

    @Test func theConfigMapsConfigurationPassesTailshipCheck() throws {
        let dir = TempDirectory()
        let data = try #require(try Self.load("configmap.yaml")["data"] as? [String: String])
        let policy = dir.file("policy.yaml")
        try #require(data["policy.yaml"]).write(toFile: policy, atomically: true, encoding: .utf8)
        let config = dir.file("tailship.yaml")
        try #require(data["tailship.yaml"]).replacingOccurrences(of: "/etc/tailship/policy.yaml", with: policy)
            .write(toFile: config, atomically: true, encoding: .utf8)
        let p = try TailshipProcess(["check", "--config", config], directory: dir.path, environment: ["NODE_NAME": "cp-1"])
        p.process.waitUntilExit()
        #expect(p.process.terminationStatus == 0, "\(p.stderr)")
        #expect(p.stdout.contains("policy:"))
    }

    static func podConfig() throws -> [String: Any] {
        let data = try #require(try load("configmap.yaml")["data"] as? [String: String])
        let text = try #require(data["tailship.yaml"])
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }
}
