import ArgumentParser
import Foundation
import Logging
import Tailship
import TailshipShip

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletter",
        abstract: "List what went to the dead-letter directory, or send it again.",
        subcommands: [DeadLetterList.self, DeadLetterReplay.self])
}

/// Where the dead letters are: from the configuration, or given.
struct DeadLetterLocation: ParsableArguments {
    @Option(name: .long, help: "YAML configuration file (its dead_letter.directory and output.http).")
    var config: String?

    @Option(name: .long, help: "Dead-letter directory (instead of the configuration's).")
    var dir: String?

    @Option(name: .long, help: "With outputs: the output whose dead letters (and HTTP settings) to use. Required when there are several.")
    var output: String?

    /// The directory, and the configuration as the chosen output runs with it.
    func load() throws -> (directory: String, config: ResolvedConfig?) {
        var resolved: ResolvedConfig?
        if let config {
            var overrides = ResolvedConfig.Overrides()
            overrides.paths = []
            let all = try ResolvedConfig.load(path: config, overrides: overrides)
            let names = all.outputs.map(\.name).joined(separator: ", ")
            if let output {
                guard let lane = all.output(named: output) else { throw ConfigError("--output", "no output named \(output) (configured: \(names))") }
                resolved = all.lane(lane)
            } else {
                guard all.outputs.count == 1 || dir != nil else {
                    throw ConfigError("--output", "the configuration has several outputs (\(names)): name one with --output")
                }
                resolved = all
            }
        }
        guard let directory = dir ?? resolved?.deadLetterDirectory else {
            throw ConfigError("", "give --config FILE or --dir DIRECTORY")
        }
        return (directory, resolved)
    }
}

struct DeadLetterList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "One line per dead letter, oldest first.")

    @OptionGroup var location: DeadLetterLocation

    func run() async throws {
        do {
            let (directory, _) = try location.load()
            print(DeadLetterStore.describe(try DeadLetterStore(directory: directory).entries()), terminator: "")
        } catch {
            throw fail("\(error)")
        }
    }
}

struct DeadLetterReplay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Send every dead-lettered batch again with the configured HTTP output; remove each one accepted.",
        discussion: "Exit status 0 when every batch was accepted, 1 when some are kept (each is listed with the reason).")

    @OptionGroup var location: DeadLetterLocation

    @Option(name: .customLong("to-url"), help: "Send to this URL instead of output.http.url.")
    var toURL: String?

    func run() async throws {
        bootstrapLogging(level: .warning, json: false)
        let logger = Logger(label: "tailship")
        let directory: String
        var options: HTTPSinkOptions
        do {
            let (dir, config) = try location.load()
            directory = dir
            if case .http(let o)? = config?.output {
                options = o
                if let toURL { options.url = toURL }
            } else if let toURL {
                options = HTTPSinkOptions(url: toURL)
            } else {
                throw ConfigError("output.http", "replay needs an HTTP output: configure output.http or give --to-url")
            }
            // Replay must end: a receiver that keeps failing leaves the batch where it is.
            if options.maxAttempts == nil { options.maxAttempts = 5 }
        } catch {
            throw fail("\(error)")
        }
        let sink: HTTPSink
        do {
            // Replay writes no new dead letters (resend reports instead), so the writer is never used.
            sink = try HTTPSink(options: options, deadLetters: DeadLetterWriter(directory: directory), stats: ShipStats(), logger: logger)
        } catch {
            throw fail("\(error)")
        }
        let result = try await DeadLetterStore(directory: directory).replay(with: sink) { print($0) }
        await sink.shutdown()
        print("replayed \(result.replayed.count), kept \(result.kept.count)")
        if !result.kept.isEmpty { throw ExitCode(1) }
    }
}
