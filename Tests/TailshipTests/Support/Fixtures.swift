import Foundation
import Tailship
import TailshipTestSupport

/// Paths and a config file for one daemon under test.
struct DaemonFixture {
    let dir = TempDirectory()
    var log: String { dir.file("k8s_audit.log") }
    var registry: String { dir.file("state/registry.json") }
    var out: String { dir.file("out") }
    var deadLetter: String { dir.file("dead-letter") }

    /// Writes a config with the given output section and returns its path.
    func config(paths: [String]? = nil, output: String, batch: String = "{max_events: 500, max_wait: 100ms}",
                extra: String = "", shutdown: String = "10s", maxLine: String = "16MiB") -> String {
        writeConfig(input: "max_line_bytes: \(maxLine)", paths: paths, outputs: "output:\n\(output)", batch: batch, extra: extra, shutdown: shutdown)
    }

    /// Writes `tailship.yaml`: the input's paths and one more input key, then the output section as given.
    func writeConfig(input: String, paths: [String]?, outputs: String, batch: String, extra: String, shutdown: String = "10s") -> String {
        let inputs = (paths ?? [log]).map { "\"\($0)\"" }.joined(separator: ", ")
        let text = """
        inputs:
          - paths: [\(inputs)]
            \(input)
        registry:
          path: "\(registry)"
          flush_interval: 100ms
        batch: \(batch)
        \(outputs)
        dead_letter:
          directory: "\(deadLetter)"
        shutdown_timeout: \(shutdown)
        log: {level: debug}
        \(extra)
        """
        let path = dir.file("tailship.yaml")
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    var fileOutput: String { "  file: {directory: \"\(out)\"}" }

    func httpOutput(_ url: String, extra: String = "") -> String {
        "  http: {url: \"\(url)\", timeout: 2s, retry: {initial_backoff: 50ms, max_backoff: 500ms}\(extra.isEmpty ? "" : ", " + extra)}"
    }

    /// Lines delivered to the file sink so far.
    func delivered() -> [String] { deliveredLines(in: out) }
}

/// Lines a file sink has written to `directory` so far.
func deliveredLines(in directory: String) -> [String] {
    ((try? OutputReader.contents(of: directory)) ?? []).split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
}

/// Numbered lines, so order and loss are easy to check.
func numberedLine(_ i: Int) -> String {
    String(format: "{\"kind\":\"Event\",\"auditID\":\"id-%08d\",\"pad\":\"%@\"}", i, String(repeating: "p", count: 40 + i % 50))
}

/// Appends each line and its newline.
func appendLines(_ lines: [String], to path: String) {
    appendText(lines.map { $0 + "\n" }.joined(), to: path)
}

func appendText(_ text: String, to path: String) {
    if !FileManager.default.fileExists(atPath: path) {
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
    }
    let handle = FileHandle(forWritingAtPath: path)!
    handle.seekToEndOfFile()
    handle.write(Data(text.utf8))
    handle.closeFile()
}

/// Whether `lines`, keeping each value's first appearance, are `expected` in order.
func inOrderAtLeastOnce(_ lines: [String], expected: [String]) -> Bool {
    var seen = Set<String>()
    var firsts: [String] = []
    for l in lines where seen.insert(l).inserted { firsts.append(l) }
    return firsts == expected
}

/// Where `lines` (first appearances) first depart from `expected`, for failure messages.
func firstDeparture(_ lines: [String], expected: [String]) -> String {
    var seen = Set<String>()
    var firsts: [String] = []
    for l in lines where seen.insert(l).inserted { firsts.append(l) }
    for (i, (a, b)) in zip(firsts, expected).enumerated() where a != b {
        return "at \(i): got \(firsts[max(0, i - 2)..<min(firsts.count, i + 3)]) expected \(b)"
    }
    return firsts.count == expected.count ? "none" : "lengths \(firsts.count) vs \(expected.count)"
}
