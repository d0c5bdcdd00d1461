import ArgumentParser
import Foundation
import Logging
import Tailship

@main
struct TailshipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tailship",
        abstract: "Follows log files across rotation and ships every line, gzipped, to HTTP or files.",
        version: TailshipVersion.current,
        subcommands: [Run.self, Check.self, Demo.self, Version.self],
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

    func load() throws -> ResolvedConfig {
        var overrides = ResolvedConfig.Overrides()
        overrides.paths = path
        overrides.registry = registry
        overrides.outputURL = outputURL
        overrides.outputDirectory = outputDir
        if config == nil && path.isEmpty {
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
    LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, level: level, json: json) }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon until SIGTERM or SIGINT.")

    @OptionGroup var options: ConfigOptions

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
            let daemon = try Daemon(config: config, logger: logger)
            try await daemon.run()
            logger.info("tailship stopped")
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
