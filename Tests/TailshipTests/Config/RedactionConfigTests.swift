import Foundation
import Testing
import TailshipTestSupport
@testable import Tailship

/// `redact:` and `pseudonymize:` as written: defaults, errors naming the key, what `check` prints,
/// and the daemon refusing to start without a usable key.
@Suite struct RedactionConfigTests {
    let dir = TempDirectory()
    var base: String { "inputs: [{paths: [\"\(dir.file("a.log"))\"]}]\nregistry: {path: \"\(dir.file("state/registry.json"))\"}\noutput: {file: {directory: \"\(dir.file("out"))\"}}\n" }

    @Test func defaultsRedactSecretsWithAKeyBesideTheRegistry() throws {
        let c = try resolveConfig(base)
        #expect(c.redaction.settings.secrets && c.redaction.settings.paths.isEmpty && c.redaction.settings.pseudonymize.isEmpty)
        #expect(c.redaction.keyFile == dir.file("state/redact.key") && c.redaction.keyFileIsDefault)
        #expect(c.describe().contains("redact:\n  secrets: true\n  key_file: \"\(dir.file("state/redact.key"))\"  # made at first start (0600)\n"))
    }

    @Test func errorsNameTheKey() throws {
        let key = dir.file("key")
        try "0123456789abcdef0123456789abcdef".write(toFile: key, atomically: true, encoding: .utf8)
        try "short".write(toFile: dir.file("short"), atomically: true, encoding: .utf8)
        let cases: [(String, String)] = [
            ("redact: {paths: [requestObject.spec.x, \"a..b\"]}", "redact.paths[1]: \"a..b\": empty key at character 3"),
            ("redact: {key_file: \(dir.file("missing"))}", "redact.key_file: cannot read key file \(dir.file("missing")): No such file or directory"),
            ("redact: {key_file: \(dir.file("short"))}", "redact.key_file: key file \(dir.file("short")): the key has 5 bytes; at least 16 are needed"),
            ("pseudonymize: {fields: []}", "pseudonymize.fields: name at least one field"),
            ("pseudonymize: {fields: [\"[*]\"]}", "pseudonymize.fields[0]: \"[*]\": a path starts with a top-level key"),
            ("pseudonymize: {fields: [user.username], key_file: \(dir.file("short"))}", "pseudonymize.key_file: key file"),
            ("monitoring: {listen: \"127.0.0.1:0\"}\naudit_metrics: {enabled: true, pseudonymized: true}", "audit_metrics.pseudonymized: needs pseudonymize.fields"),
            ("redact: {secret: true}", "redact.secret: unknown key"),
        ]
        for (yaml, message) in cases {
            #expect(configError(base + yaml).hasPrefix(message), "\(yaml)")
        }
        let ok = try resolveConfig(base + "redact: {key_file: \(key), paths: ['requestObject.metadata.annotations[\"a.b\"]']}\npseudonymize: {fields: [user.username, sourceIPs], key_file: \(key)}")
        #expect(ok.redaction.settings.paths.map(\.description) == ["requestObject.metadata.annotations[\"a.b\"]"])
        #expect(ok.redaction.pseudonymKeyFile == key && !ok.redaction.pseudonymKeyFileIsDefault)
        #expect(ok.describe().contains("pseudonymize:\n  fields: [\"user.username\", \"sourceIPs\"]\n  key_file: \"\(key)\"\n"))
    }

    /// A default key that cannot be made (its directory is a file) stops the start with the reason.
    @Test func theDaemonDoesNotStartWithoutItsKey() throws {
        _ = FileManager.default.createFile(atPath: dir.file("state"), contents: nil)
        var r = try resolveConfig(base)
        r.redaction.keyFile = dir.file("state/redact.key")
        do {
            _ = try RedactionRuntime.start(r.redaction, logger: .init(label: "test"))
            Issue.record("started without a key")
        } catch {
            #expect("\(error)".hasPrefix("cannot start without the redaction key:"), "\(error)")
        }
    }
}
