import Foundation
import Logging
import TailshipCompress
import TailshipPolicy
import TailshipShip
import TailshipTail

/// From the file as written to the configuration the daemon runs with: defaults
/// (`ConfigDefaults`) applied, every value checked, errors naming the key path.
extension ResolvedConfig {
    public static func resolve(_ fileIn: ConfigFile, overrides: Overrides) throws -> ResolvedConfig {
        let file = applying(overrides, to: fileIn)
        let inputs = try resolveInputs(file.inputs)
        let registryPath = file.registry?.path ?? ConfigDefaults.registryPath
        guard !registryPath.isEmpty else { throw ConfigError("registry.path", "must not be empty") }
        let flush = try positive(file.registry?.flushInterval ?? ConfigDefaults.flushInterval, "registry.flush_interval")
        let cleanAfter = try positive(file.registry?.cleanAfter ?? ConfigDefaults.cleanAfter, "registry.clean_after")
        let batch = try resolveBatch(file.batch)
        let deadLetter = file.deadLetter?.directory ?? ConfigDefaults.deadLetterDirectory
        let lanes = try resolveOutputs(file, batch: batch, deadLetter: deadLetter)
        let levelName = file.log?.level ?? ConfigDefaults.logLevel
        guard let logLevel = Logger.Level(rawValue: levelName) else {
            throw ConfigError("log.level", "must be one of trace, debug, info, notice, warning, error, critical")
        }
        let format = file.log?.format ?? ConfigDefaults.logFormat
        guard format == "logfmt" || format == "json" else { throw ConfigError("log.format", "must be logfmt or json") }
        var resolved = ResolvedConfig(
            inputs: inputs, registryPath: registryPath, flushInterval: flush, cleanAfter: cleanAfter, batch: lanes[0].batch,
            compressionLevel: lanes[0].compressionLevel, output: lanes[0].output,
            deadLetterDirectory: lanes[0].deadLetterDirectory,
            shutdownTimeout: file.shutdownTimeout ?? ConfigDefaults.shutdownTimeout,
            logLevel: logLevel, logJSON: format == "json")
        resolved.compressionEngine = lanes[0].compressionEngine
        resolved.outputs = lanes
        resolved.pins = try resolvePins(file.pins)
        try resolvePolicy(file, into: &resolved)
        resolved.monitoring = try resolveMonitoring(file.monitoring)
        resolved.auditInsights = try AuditInsightsSettings.resolve(file.auditMetrics, monitoring: resolved.monitoring)
        resolved.redaction = try resolveRedaction(file, registryPath: registryPath)
        resolved.enrichment = try Enrichment.resolve(fields: file.addFields, addSource: file.addSource,
                                                     environment: ProcessInfo.processInfo.environment)
        return resolved
    }

    static func resolvePins(_ section: PinsSection?) throws -> Pins? {
        guard section?.enabled ?? true else { return nil }
        var pins = Pins()
        if let dir = section?.directory {
            guard !dir.isEmpty else { throw ConfigError("pins.directory", "must not be empty") }
            pins.directory = dir
        }
        if let max = section?.maxBytes {
            guard max.bytes > 0 else { throw ConfigError("pins.max_bytes", "must be more than 0 (use enabled: false to turn pins off)") }
            pins.maxBytes = UInt64(max.bytes)
        }
        return pins
    }

    /// The file with the command line's values in place of its own.
    static func applying(_ overrides: Overrides, to fileIn: ConfigFile) -> ConfigFile {
        var file = fileIn
        if !overrides.paths.isEmpty {
            var input = file.inputs?.first ?? InputSection(paths: [])
            input.paths = overrides.paths
            file.inputs = [input]
        }
        if let r = overrides.registry {
            var section = file.registry ?? RegistrySection()
            section.path = r
            file.registry = section
        }
        if let url = overrides.outputURL {
            var out = file.output ?? OutputSection()
            var http = out.http ?? HTTPSection(url: url)
            http.url = url
            out.http = http
            out.file = nil
            file.output = out
            file.outputs = nil
        }
        if let dir = overrides.outputDirectory {
            var out = file.output ?? OutputSection()
            out.file = FileSection(directory: dir)
            out.http = nil
            file.output = out
            file.outputs = nil
        }
        return file
    }

    private static func positive(_ value: Duration, _ key: String) throws -> Duration {
        guard value > .zero else { throw ConfigError(key, "must be more than 0") }
        return value
    }

    static func resolveInputs(_ sections: [InputSection]?) throws -> [Input] {
        guard let sections, !sections.isEmpty else {
            throw ConfigError("inputs", "at least one input is required (or pass --path)")
        }
        return try sections.enumerated().map { try resolveInput($1, at: $0) }
    }

    private static func resolveInput(_ section: InputSection, at i: Int) throws -> Input {
        if let webhook = section.webhook { return try resolveWebhookInput(section, webhook, at: i) }
        guard let paths = section.paths, !paths.isEmpty else {
            throw ConfigError("inputs[\(i)].paths", "at least one path is required")
        }
        for (j, p) in paths.enumerated() where p.isEmpty {
            throw ConfigError("inputs[\(i)].paths[\(j)]", "must not be empty")
        }
        let startAt = section.startAt ?? ConfigDefaults.startAt
        guard startAt == "beginning" || startAt == "end" else {
            throw ConfigError("inputs[\(i)].start_at", "must be beginning or end, not \"\(startAt)\"")
        }
        let maxLine = section.maxLineBytes?.bytes ?? ConfigDefaults.maxLineBytes
        guard maxLine >= 1 else { throw ConfigError("inputs[\(i)].max_line_bytes", "must be at least 1B") }
        let backups: BackupPolicy
        switch section.backups ?? .word(ConfigDefaults.backups) {
        case .word("auto"): backups = .auto
        case .word("none"): backups = .none
        case .word(let other): throw ConfigError("inputs[\(i)].backups", "must be auto, none or a list of globs, not \"\(other)\"")
        case .globs(let globs):
            guard !globs.isEmpty, !globs.contains("") else { throw ConfigError("inputs[\(i)].backups", "a list of globs must not be empty") }
            backups = .globs(globs)
        }
        let maxOpen = section.maxOpenFiles ?? ConfigDefaults.maxOpenFiles
        guard maxOpen >= 1 else { throw ConfigError("inputs[\(i)].max_open_files", "must be at least 1") }
        return Input(paths: paths, startAtEnd: startAt == "end", maxLineBytes: maxLine, backups: backups, maxOpenFiles: maxOpen)
    }

    static func resolveBatch(_ section: BatchSection?) throws -> BatchLimits {
        let maxEvents = section?.maxEvents ?? ConfigDefaults.maxEvents
        guard maxEvents >= 1 else { throw ConfigError("batch.max_events", "must be at least 1") }
        let maxBytes = section?.maxBytes?.bytes ?? ConfigDefaults.maxBatchBytes
        guard maxBytes >= 1 else { throw ConfigError("batch.max_bytes", "must be at least 1B") }
        let maxWait = try positive(section?.maxWait ?? ConfigDefaults.maxWait, "batch.max_wait")
        return BatchLimits(maxEvents: maxEvents, maxBytes: maxBytes, maxWait: maxWait.inSeconds)
    }

    /// The level HTTP bodies are compressed at (nil: none), the engine, and the output.
    static func resolveOutput(_ section: OutputSection?) throws -> (Int32?, CompressionEngine, Output) {
        let compression = section?.compression ?? ConfigDefaults.compression
        guard compression == "gzip" || compression == "none" else {
            throw ConfigError("output.compression", "must be gzip or none, not \"\(compression)\"")
        }
        let level = section?.compressionLevel ?? ConfigDefaults.compressionLevel
        guard (1...9).contains(level) else { throw ConfigError("output.compression_level", "must be from 1 to 9") }
        let zlibLevel: Int32? = compression == "gzip" ? Int32(level) : nil
        let engine: CompressionEngine
        switch CompressionEngine.choose(section?.compressionEngine ?? ConfigDefaults.compressionEngine, level: Int32(level)) {
        case .success(let e): engine = e
        case .failure(let e): throw ConfigError("output.compression_engine", e.description)
        }
        switch (section?.http, section?.file) {
        case (nil, nil):
            throw ConfigError("output", "one of http or file is required")
        case (.some, .some):
            throw ConfigError("output", "only one of http and file may be set")
        case (let http?, nil):
            var options = try resolveHTTP(http, compression: zlibLevel, level: Int32(level))
            options.compressionEngine = engine
            return (zlibLevel, engine, .http(options))
        case (nil, let f?):
            guard let dir = f.directory, !dir.isEmpty else { throw ConfigError("output.file.directory", "required") }
            let maxFile = f.maxFileBytes?.bytes ?? ConfigDefaults.maxFileBytes
            guard maxFile >= 1 else { throw ConfigError("output.file.max_file_bytes", "must be at least 1B") }
            return (zlibLevel, engine, .file(directory: dir, maxFileBytes: maxFile, level: Int32(level)))
        }
    }

    /// The policy file at `path`; errors name `key`.
    static func loadPolicy(_ path: String, key: String, ifEmpty advice: String) throws -> AuditPolicy {
        guard !path.isEmpty else { throw ConfigError(key, "must not be empty (\(advice))") }
        do {
            return try PolicyLoader.load(path: path)
        } catch {
            throw ConfigError(key, "\(error)")
        }
    }

    private static func resolvePolicy(_ file: ConfigFile, into resolved: inout ResolvedConfig) throws {
        if let path = file.policy {
            resolved.policy = try loadPolicy(path, key: "policy", ifEmpty: "leave it out to ship every event")
            resolved.policyPath = path
        }
        let onInvalidName = file.policyOnInvalid ?? ConfigDefaults.policyOnInvalid
        guard let onInvalid = InvalidLineAction(rawValue: onInvalidName) else {
            throw ConfigError("policy_on_invalid", "must be pass, drop or dead-letter, not \"\(onInvalidName)\"")
        }
        resolved.policyOnInvalid = onInvalid
        for i in resolved.outputs.indices {
            guard case .http(var options) = resolved.outputs[i].output else { continue }
            // Unset, a line a JSON body cannot carry goes to the dead letters rather than break the body.
            options.nonItems = file.policyOnInvalid.flatMap { NonItemAction(rawValue: $0) } ?? .deadLetter
            resolved.outputs[i].output = .http(options)
        }
        resolved.output = resolved.outputs[0].output
    }
}
