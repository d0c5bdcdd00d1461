import Foundation
import Testing
import TailshipTestSupport
@testable import Tailship

/// `outputs:`: names, defaults, errors naming the key path, and what `check` prints.
@Suite struct OutputsConfigTests {
    func resolve(_ yaml: String) throws -> ResolvedConfig { try resolveConfig(yaml) }
    func error(_ yaml: String) -> String { configError(yaml) }

    let inputs = "inputs:\n  - paths: [/var/log/k8s_audit.log]\ndead_letter: {directory: /dl}\nbatch: {max_events: 300}\n"

    @Test func eachOutputHasItsNameBatchDeadLettersAndPolicy() throws {
        let dir = TempDirectory()
        let policy = dir.file("metadata.yaml")
        try "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n".write(toFile: policy, atomically: true, encoding: .utf8)
        let c = try resolve(inputs + """
            outputs:
              - name: siem
                http: {url: "http://127.0.0.1:1/x", format: clickhouse}
              - name: falco
                compression: none
                http: {url: "http://127.0.0.1:2/audit", format: audit-eventlist}
                batch: {max_events: 400, max_wait: 50ms}
                policy: "\(policy)"
              - name: archive
                file: {directory: /archive}
                compression_level: 6
                dead_letter: {directory: /elsewhere}

            """)
        #expect(c.outputs.map(\.name) == ["siem", "falco", "archive"])
        #expect(c.outputs.map(\.deadLetterDirectory) == ["/dl/siem", "/dl/falco", "/elsewhere"])
        #expect(c.outputs.map(\.batch.maxEvents) == [300, 400, 300])
        #expect(c.outputs[1].compressionLevel == nil && c.outputs[1].policy?.rules.count == 1 && c.outputs[0].policy == nil)
        #expect(c.outputs[2].compressionEngine == .zlib)
        // The top-level values a one-output daemon reads are the first output's.
        #expect(c.deadLetterDirectory == "/dl/siem" && c.output == c.outputs[0].output)
        let lane = c.lane(c.outputs[1])
        #expect(lane.outputs.map(\.name) == ["falco"] && lane.batch.maxEvents == 400 && lane.deadLetterDirectory == "/dl/falco")
        let text = c.describe()
        #expect(text.contains("outputs:\n  - name: siem\n"))
        #expect(text.contains("  - name: falco\n    compression: none\n"))
        #expect(text.contains("    dead_letter: {directory: \"/elsewhere\"}\n"))
        #expect(text.contains("    policy: \"\(policy)\"  # audit.k8s.io/v1, 1 rules, after the top-level policy\n"))
    }

    @Test func theOneOutputFormIsNamedDefault() throws {
        let c = try resolve(inputs + "output:\n  file: {directory: /out}\n")
        #expect(c.outputs.map(\.name) == ["default"] && c.outputs[0].deadLetterDirectory == "/dl")
        #expect(c.describe().contains("output:\n  compression: gzip\n"))
    }

    @Test func errorsNameTheKeyPath() {
        let file = "file: {directory: /o}"
        #expect(error(inputs + "outputs: []\n") == "outputs: at least one output is required")
        #expect(error(inputs + "output: {\(file)}\noutputs: [{name: a, \(file)}]\n") == "outputs: set either output (one output) or outputs (a list), not both")
        #expect(error(inputs + "outputs: [{name: a, \(file)}, {name: b, \(file)}, {name: a, \(file)}]\n")
            == "outputs[2].name: \"a\" is already the name of outputs[0]; names must be unique")
        #expect(error(inputs + "outputs: [{\(file)}]\n") == "outputs[0].name: required")
        #expect(error(inputs + "outputs: [{name: \"A b\", \(file)}]\n").hasPrefix("outputs[0].name: \"A b\" must be 1 to 64 of a-z"))
        #expect(error(inputs + "outputs: [{name: a, \(file)}, {name: b, file: {directory: /o, max_files: 3}}]\n")
            == "outputs[1].file.max_files: unknown key")
        #expect(error(inputs + "outputs: [{name: a, \(file)}, {name: b, htp: {url: x}}]\n") == "outputs[1].htp: unknown key")
        #expect(error(inputs + "outputs: [{name: a, http: {url: \"ftp://x\"}}]\n").hasPrefix("outputs[0].http.url: not a valid URL"))
        #expect(error(inputs + "outputs: [{name: a}]\n") == "outputs[0]: one of http or file is required")
        #expect(error(inputs + "outputs: [{name: a, \(file), batch: {max_events: 0}}]\n") == "outputs[0].batch.max_events: must be at least 1")
        #expect(error(inputs + "outputs: [{name: a, \(file), compression_engine: fast}]\n").hasPrefix("outputs[0].compression_engine:"))
        #expect(error(inputs + "outputs: [{name: a, \(file), policy: /no/such/policy.yaml}]\n").hasPrefix("outputs[0].policy:"))
    }

    /// A reload adds and removes outputs itself; changing a kept output's URL needs a restart.
    @Test func reloadAddsAndRemovesOutputsAndNamesWhatNeedsARestart() throws {
        let old = try resolve(inputs + "outputs: [{name: a, file: {directory: /a}}, {name: b, http: {url: \"http://127.0.0.1:1/x\"}}]\n")
        let new = try resolve(inputs + "outputs: [{name: b, http: {url: \"http://127.0.0.1:2/x\"}}, {name: c, file: {directory: /c}}]\n")
        #expect(ConfigChanges.restartKeys(old: old, new: new) == ["outputs.b.http.url"])
        let merged = ConfigChanges.applyingReloadable(from: new, to: old)
        #expect(merged.outputs.map(\.name) == ["b", "c"])
        // The running URL stays until a restart.
        guard case .http(let o) = merged.outputs[0].output else { Issue.record("b is HTTP"); return }
        #expect(o.url == "http://127.0.0.1:1/x")
    }
}
