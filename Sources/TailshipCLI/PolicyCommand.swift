import ArgumentParser
import Foundation
import Tailship
import TailshipPolicy

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check a Kubernetes audit Policy, or see what it decides for events.",
        subcommands: [PolicyCheck.self, PolicyTest.self])
}

struct PolicyCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a policy file as kube-apiserver does (exit 0, or 1 with every problem).")

    @Argument(help: "Policy file (YAML or JSON).")
    var file: String

    func run() throws {
        do {
            let policy = try PolicyLoader.load(path: file)
            print("policy \(file): valid, \(policy.apiVersion), \(policy.rules.count) rule\(policy.rules.count == 1 ? "" : "s")")
        } catch {
            throw fail("\(error)")
        }
    }
}

struct PolicyTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Print the policy's decision for each event line (NDJSON from a file or standard input).",
        discussion: """
            One compact JSON object per input line, in order:
            {"line":N,"auditID":"...","stage":"...","level":"...","action":"keep|reduce|drop","omitStages":[...],"omitManagedFields":false}
            or {"line":N,"action":"invalid"} for a line that is not an audit event.
            """)

    @Option(help: "Policy file (YAML or JSON). With --config, its policy unless this is given.")
    var policy: String?

    @Option(help: "With --apply: the daemon's configuration file, whose policy, redaction, pseudonymisation and enrichment are applied too, in the daemon's order.")
    var config: String?

    @Flag(help: "Add \"rule\": the 0-based index of the matching rule, or null.")
    var explain = false

    @Flag(help: "Print the lines as they would be shipped instead of decisions.")
    var apply = false

    @Argument(help: "NDJSON file of audit events (default: standard input).")
    var events: String?

    func run() throws {
        if config != nil && !apply { throw fail("--config needs --apply") }
        var resolved: ResolvedConfig?
        var loaded: AuditPolicy?
        do {
            if let config { resolved = try ResolvedConfig.load(path: config) }
            if let policy { loaded = try PolicyLoader.load(path: policy) } else { loaded = resolved?.policy }
        } catch {
            throw fail("\(error)")
        }
        guard loaded != nil || resolved != nil else { throw fail("give --policy, or --config with --apply") }
        var fd: Int32 = 0
        if let events {
            fd = open(events, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw fail("cannot open \(events): \(String(cString: strerror(errno)))") }
        }
        defer { if fd != 0 { close(fd) } }
        do {
            var run = try PolicyTestRun(policy: loaded, explain: explain, apply: apply, config: resolved)
            run.sourceName = events ?? "-"
            try run.run(input: fd, output: 1)
        } catch {
            throw fail("\(error)")
        }
    }
}
