import Foundation
import Testing
import TailshipTestSupport

@Suite struct CheckCommandTests {
    @Test func unknownKeyNamesItsPathAndExits1() throws {
        let dir = TempDirectory()
        let path = dir.file("c.yaml")
        try "inputs:\n  - paths: [/var/log/k8s_audit.log]\n    max_lines: 3\noutput:\n  file: {directory: /tmp/x}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let (status, _, err) = try TailshipProcess.run(["check", "--config", path], directory: dir.path)
        #expect(status == 1)
        #expect(err.contains("inputs[0].max_lines: unknown key"))
    }

    @Test func badValueNamesItsPathAndExits1() throws {
        let dir = TempDirectory()
        let path = dir.file("c.yaml")
        try "inputs:\n  - paths: [/var/log/k8s_audit.log]\noutput:\n  http:\n    url: \"ftp//nope\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let (status, _, err) = try TailshipProcess.run(["check", "--config", path], directory: dir.path)
        #expect(status == 1)
        #expect(err.contains("output.http.url: not a valid URL"))

        try "inputs:\n  - paths: [/a]\nbatch:\n  max_wait: soon\noutput:\n  file: {directory: /tmp/x}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let (status2, _, err2) = try TailshipProcess.run(["check", "--config", path], directory: dir.path)
        #expect(status2 == 1)
        #expect(err2.contains("batch.max_wait: not a duration"))
    }

    @Test func validConfigPrintsNormalisedAndRedacted() throws {
        let dir = TempDirectory()
        let path = dir.file("c.yaml")
        try """
        inputs:
          - paths: [/var/log/k8s_audit.log]
            max_line_bytes: 1048576
        batch: {max_wait: 1500ms}
        output:
          http:
            url: https://user:hunter2@logs.example.com/ingest
            headers: {Authorization: "Bearer s3cret-token"}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let (status, out, _) = try TailshipProcess.run(["check", "--config", path], directory: dir.path)
        #expect(status == 0)
        #expect(out.contains("max_line_bytes: 1MiB"))
        #expect(out.contains("max_wait: 1500ms"))
        #expect(out.contains("shutdown_timeout: 30s"))
        #expect(!out.contains("s3cret-token"))
        #expect(!out.contains("hunter2"))
    }

    @Test func flagsOverrideTheFile() throws {
        let dir = TempDirectory()
        let (status, out, _) = try TailshipProcess.run(
            ["check", "--path", "/var/log/a.log", "--output-dir", "/tmp/o", "--registry", "/tmp/r.json"], directory: dir.path)
        #expect(status == 0)
        #expect(out.contains("\"/var/log/a.log\""))
        #expect(out.contains("directory: \"/tmp/o\""))
        #expect(out.contains("path: \"/tmp/r.json\""))
    }
}
