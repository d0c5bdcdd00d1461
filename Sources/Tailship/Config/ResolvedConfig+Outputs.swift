import Foundation
import TailshipPolicy
import TailshipShip

/// `output:` (one output, named `default`) or `outputs:` (a list of named outputs).
extension ResolvedConfig {
    static func resolveOutputs(_ file: ConfigFile, batch: BatchLimits, deadLetter: String) throws -> [OutputLane] {
        guard let entries = file.outputs else {
            let (level, engine, output) = try resolveOutput(file.output)
            return [OutputLane(name: defaultOutputName, output: output, compressionLevel: level, compressionEngine: engine,
                               batch: batch, deadLetterDirectory: deadLetter)]
        }
        guard file.output == nil else { throw ConfigError("outputs", "set either output (one output) or outputs (a list), not both") }
        guard !entries.isEmpty else { throw ConfigError("outputs", "at least one output is required") }
        var lanes: [OutputLane] = []
        for (i, entry) in entries.enumerated() {
            let lane = try resolveLane(entry, at: i, batch: batch, deadLetter: deadLetter)
            if let j = lanes.firstIndex(where: { $0.name == lane.name }) {
                throw ConfigError("outputs[\(i)].name", "\"\(lane.name)\" is already the name of outputs[\(j)]; names must be unique")
            }
            lanes.append(lane)
        }
        return lanes
    }

    private static func resolveLane(_ entry: OutputEntrySection, at i: Int, batch: BatchLimits, deadLetter: String) throws -> OutputLane {
        let key = "outputs[\(i)]"
        guard let name = entry.name else { throw ConfigError("\(key).name", "required") }
        guard isValidName(name) else {
            throw ConfigError("\(key).name", "\"\(name)\" must be 1 to 64 of a-z, 0-9, _ and - (it names metrics labels, registry columns and directories)")
        }
        let (level, engine, output) = try renaming("output", to: key) { try resolveOutput(entry.outputSection) }
        let limits = try entry.batch.map { b in try renaming("batch", to: "\(key).batch") { try resolveBatch(b) } } ?? batch
        var directory = deadLetter + "/" + name
        if let d = entry.deadLetter?.directory {
            guard !d.isEmpty else { throw ConfigError("\(key).dead_letter.directory", "must not be empty") }
            directory = d
        }
        var lane = OutputLane(name: name, output: output, compressionLevel: level, compressionEngine: engine,
                              batch: limits, deadLetterDirectory: directory)
        if let path = entry.policy {
            lane.policy = try loadPolicy(path, key: "\(key).policy", ifEmpty: "leave it out to apply the top-level policy alone")
            lane.policyPath = path
        }
        return lane
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
        }
    }

    /// Runs `body`, giving its errors the key path of the list entry they belong to
    /// (`output.http.url` → `outputs[1].http.url`).
    private static func renaming<T>(_ prefix: String, to replacement: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as ConfigError {
            if error.path == prefix || error.path.hasPrefix(prefix + ".") {
                error.path = replacement + error.path.dropFirst(prefix.count)
            }
            throw error
        }
    }
}
