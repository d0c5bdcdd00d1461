import ArgumentParser
import Foundation
import Tailship

/// `tailship registry show|forget|reset`.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Show the delivered offsets, or make tailship forget files.",
        subcommands: [Show.self, Forget.self, Reset.self])

    /// Which registry: --registry wins, then the configuration's registry.path, then the default.
    struct Location: ParsableArguments {
        @Option(name: .long, help: "Configuration file whose registry.path to use.")
        var config: String?

        @Option(name: .long, help: "Registry file (default /var/lib/tailship/registry.json).")
        var registry: String?

        func tool() throws -> RegistryTool {
            if let registry { return RegistryTool(path: registry) }
            if let config {
                let text = try String(contentsOfFile: config, encoding: .utf8)
                return RegistryTool(path: try ResolvedConfig.parse(text).registry?.path ?? ConfigDefaults.registryPath)
            }
            return RegistryTool(path: ConfigDefaults.registryPath)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every file: ID, each output's committed offset, current size, lag and path.")

        @OptionGroup var location: Location

        @Flag(help: "Print JSON (an array of entries) instead of a table.")
        var json = false

        func run() async throws {
            do {
                let (outputs, rows) = try location.tool().rows()
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(rows), as: UTF8.self))
                } else {
                    print(RegistryTool.table(outputs: outputs, rows), terminator: "")
                }
            } catch {
                throw fail("\(error)")
            }
        }
    }

    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove one entry (by ID DEVICE:INODE, or path): that file is read again from its start when next seen. Refused while tailship runs.")

        @OptionGroup var location: Location

        @Argument(help: "The entry's ID (DEVICE:INODE, as registry show prints it) or its path.")
        var key: String

        func run() async throws {
            do {
                for row in try location.tool().forget(key) {
                    print("forgot \(row.id) \(row.path) (offset \(row.offset))")
                }
            } catch {
                throw fail("\(error)")
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the registry: every file is read again from the beginning at the next start. Refused while tailship runs.")

        @OptionGroup var location: Location

        @Flag(help: "Confirm: everything will be shipped again.")
        var yes = false

        func run() async throws {
            guard yes else { throw fail("registry reset re-sends every file from the beginning; add --yes to confirm") }
            do {
                let tool = try location.tool()
                let count = try tool.reset()
                print("registry \(tool.path) removed (\(count) entries)")
            } catch {
                throw fail("\(error)")
            }
        }
    }
}
