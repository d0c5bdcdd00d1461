import TailshipBasics
import ArgumentParser
import Foundation
import Logging
import Tailship
import TailshipShip
import TailshipTail

@main
struct TailshipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tailship",
        abstract: "Follows log files across rotation and ships every line, gzipped, to HTTP or files.",
        version: TailshipVersion.current,
        subcommands: [Run.self, Check.self, BackfillCommand.self, PolicyCommand.self, DeadLetterCommand.self, RegistryCommand.self, SchemaCommand.self,
                      Demo.self, Version.self],
        defaultSubcommand: nil)
}

/// Options shared by `run` and `check`.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "YAML configuration file.")
    var config: String?

    @Option(name: .long, help: "File or glob to follow (repeatable); replaces the inputs of the file.")
    var path: [String] = []

    @Option(name: .long, help: "Registry file path.")
    var registry: String?

    @Option(name: .customLong("output-url"), help: "Ship to this HTTP URL instead of the configured output.")
    var outputURL: String?

    @Option(name: .customLong("output-dir"), help: "Ship to files in this directory instead of the configured output.")
    var outputDir: String?

    func load(files: [String] = []) throws -> ResolvedConfig {
        var overrides = ResolvedConfig.Overrides()
        overrides.paths = path.isEmpty ? files : path
        overrides.registry = registry
        overrides.outputURL = outputURL
        overrides.outputDirectory = outputDir
        if config == nil && overrides.paths.isEmpty {
            throw ConfigError("", "give --config FILE, or at least --path with --output-url or --output-dir")
        }
        return try ResolvedConfig.load(path: config, overrides: overrides)
    }
}

/// Prints a message to stderr and exits 1.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("tailship: \(message)\n".utf8))
    return ExitCode(1)
}

func bootstrapLogging(level: Logger.Level, json: Bool) {
    LogLevelControl.shared.level = level
    LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, json: json) }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon until SIGTERM or SIGINT.")

    @OptionGroup var options: ConfigOptions

    @Flag(name: .customLong("registry-reset"),
          help: "Start over: move the registry aside and read every file from the beginning (events already shipped are sent again).")
    var registryReset = false

    func run() async throws {
        let config: ResolvedConfig
        do {
            config = try options.load()
        } catch {
            throw fail("\(error)")
        }
        bootstrapLogging(level: config.logLevel, json: config.logJSON)
        let logger = Logger(label: "tailship")
        do {
            let daemon = try Daemon(config: config, logger: logger, resetRegistry: registryReset)
            try await daemon.run()
            // One output: its counts; several: name=count for each.
            let all = daemon.statsByOutput
            func each(_ value: (ShipStats) -> Int) -> String {
                all.count == 1 ? "\(value(all[0].stats))" : all.map { "\($0.name)=\(value($0.stats))" }.joined(separator: ",")
            }
            logger.info("tailship stopped", metadata: [
                "events_shipped": "\(each { $0.eventsShipped.load(ordering: .relaxed) })",
                "events_dead_lettered": "\(each { $0.eventsDeadLettered.load(ordering: .relaxed) })",
                "lines_not_json_objects": "\(each { $0.nonObjectLines.load(ordering: .relaxed) })",
            ])
        } catch {
            logger.critical("tailship cannot run", metadata: ["error": "\(error)"])
            throw fail("\(error)")
        }
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate the configuration and print it as it will be used.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        do {
            let config = try options.load()
            print("# effective configuration (valid)")
            print(config.describe(), terminator: "")
        } catch {
            throw fail("\(error)")
        }
    }
}

struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Ship every rotated log (plain and .gz) and the live file up to its end, oldest first, then exit.",
        discussion: """
            Exit status: 0 every event acknowledged, 2 some went to the dead-letter directory, 3 some input could not be read \
            (a corrupt or incomplete .gz, a file lost, a read error), 124 --timeout reached, 130 interrupted (rerun to resume; \
            a first SIGINT/SIGTERM drains for at most shutdown_timeout, a second stops at once), 1 configuration or I/O error.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Keep events whose requestReceivedTimestamp is at or after this RFC 3339 time.")
    var since: String?

    @Option(help: "Keep events whose requestReceivedTimestamp is at or before this RFC 3339 time.")
    var until: String?

    @Option(help: "Stop after this long (e.g. 30m), reading or not; exit status 124. Rerun to resume.")
    var timeout: String?

    @Flag(name: .customLong("dry-run"), help: "Print the plan, one line per file, and send nothing.")
    var dryRun = false

    @Option(help: "Ship to this output alone (its name in outputs:); the others' offsets stay as they are. Default: every output.")
    var output: String?

    @Argument(help: "Files or globs to ship instead of the configured inputs and their backups.")
    var files: [String] = []

    /// The configuration, --since/--until and --timeout, checked.
    private func arguments() throws -> (ResolvedConfig, BackfillMode, Duration?) {
        var mode = BackfillMode()
        var limit: Duration?
        if let timeout {
            guard let d = DurationValue.parse(timeout), d.milliseconds > 0 else {
                throw ConfigError("--timeout", "not a duration: \(timeout) (use ms, s, m or h, e.g. 30m)")
            }
            limit = d.duration
        }
        let config = Backfill.restrict(try options.load(files: files), to: files)
        if let since {
            guard let t = RFC3339.parse(since) else { throw ConfigError("--since", "not an RFC 3339 time: \(since)") }
            mode.since = t
        }
        if let until {
            guard let t = RFC3339.parse(until) else { throw ConfigError("--until", "not an RFC 3339 time: \(until)") }
            mode.until = t
        }
        return (config, mode, limit)
    }

    func run() async throws {
        let (config, mode, limit): (ResolvedConfig, BackfillMode, Duration?)
        do {
            (config, mode, limit) = try arguments()
        } catch {
            throw fail("\(error)")
        }
        let terminal = isatty(2) != 0
        // On a terminal, info lines would break up the progress line.
        bootstrapLogging(level: dryRun || terminal ? max(config.logLevel, .warning) : config.logLevel, json: config.logJSON)
        let logger = Logger(label: "tailship")
        let backfill: Backfill
        do {
            backfill = try Backfill(config: config, mode: mode, only: output)
        } catch {
            throw fail("\(error)")
        }
        if dryRun {
            do {
                print(Backfill.describe(try backfill.plan(logger: logger)), terminator: "")
            } catch {
                throw fail("\(error)")
            }
            return
        }
        let summary: Backfill.Summary
        do {
            summary = try await backfill.run(logger: logger, timeout: limit) { p in
                let mib = Double(p.bytesDone) / 1_048_576
                let rate = p.seconds > 0 ? mib / p.seconds : 0
                let left = max(0, Double(p.bytesTotal) / 1_048_576 - mib)
                let eta = rate > 0 ? left / rate : 0
                let line = String(format: "backfill: %.1f of %.1f MiB, %d events, %.0f events/s, %.1f MiB/s, ETA %.0f s",
                                  mib, Double(p.bytesTotal) / 1_048_576, p.events, p.seconds > 0 ? Double(p.events) / p.seconds : 0, rate, eta)
                if terminal {
                    FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
                } else if Int(p.seconds.rounded()) % 5 == 0 {
                    FileHandle.standardError.write(Data("\(line)\n".utf8))
                }
            }
        } catch {
            throw fail("\(error)")
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        print(summary.description)
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a rotating audit log and ship it to ./tailship-demo-out/, then check nothing was lost.")

    @Option(help: "How many audit events to write.")
    var events: Int = 20000

    @Option(help: "Where the shipped files go.")
    var output: String = "tailship-demo-out"

    func run() async throws {
        guard events > 0 else { throw fail("--events must be at least 1") }
        bootstrapLogging(level: .warning, json: false)
        let demo = Tailship.Demo(events: events, outputDirectory: output)
        let result = try await demo.run(logger: Logger(label: "tailship")) { line in print(line) }
        print(String(format: "demo: %d rotations, %.1f s, output in %@/", result.rotations, result.seconds, output))
        print(result.summary)
        if !result.ok { throw ExitCode(1) }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("tailship \(TailshipVersion.current)")
    }
}
