import TailshipShip

/// The keys whose effective values differ between two configurations, named as
/// `check` prints them; a mapping printed on one line (`log`, `monitoring`) is one key.
struct ConfigDiff {
    private(set) var keys: [String] = []

    mutating func check<T: Equatable>(_ key: String, _ a: T, _ b: T) {
        if a != b { keys.append(key) }
    }

    mutating func compare(_ a: ResolvedConfig, _ b: ResolvedConfig) {
        for i in 0..<max(a.inputs.count, b.inputs.count) {
            guard i < a.inputs.count, i < b.inputs.count else {
                keys.append("inputs[\(i)]")
                continue
            }
            let (x, y) = (a.inputs[i], b.inputs[i])
            check("inputs[\(i)].paths", x.paths, y.paths)
            check("inputs[\(i)].start_at", x.startAtEnd, y.startAtEnd)
            check("inputs[\(i)].max_line_bytes", x.maxLineBytes, y.maxLineBytes)
            check("inputs[\(i)].backups", x.backups, y.backups)
            check("inputs[\(i)].max_open_files", x.maxOpenFiles, y.maxOpenFiles)
            check("inputs[\(i)].webhook", x.webhook, y.webhook)
        }
        check("registry.path", a.registryPath, b.registryPath)
        check("registry.flush_interval", a.flushInterval, b.flushInterval)
        check("registry.clean_after", a.cleanAfter, b.cleanAfter)
        // Outputs are compared by name; one added or removed is a reload's to make, not a restart's.
        let oneOutput = a.outputs.count == 1 && a.outputs[0].name == ResolvedConfig.defaultOutputName
        for x in a.outputs {
            guard let y = b.output(named: x.name) else { continue }
            compareLane(x, y, output: oneOutput ? "output" : "outputs.\(x.name)",
                        batch: oneOutput ? "batch" : "outputs.\(x.name).batch",
                        deadLetter: oneOutput ? "dead_letter" : "outputs.\(x.name).dead_letter")
        }
        check("pins", a.pins, b.pins)
        check("shutdown_timeout", a.shutdownTimeout, b.shutdownTimeout)
        check("policy", a.policyPath, b.policyPath)
        check("policy", a.policy, b.policy)
        check("policy_on_invalid", a.policyOnInvalid, b.policyOnInvalid)
        check("log", a.logLevel, b.logLevel)
        check("log", a.logJSON, b.logJSON)
        check("audit_metrics", a.auditInsights, b.auditInsights)
        check("add_fields", a.enrichment, b.enrichment)
        check("redact", Redacting(a.redaction), Redacting(b.redaction))
        check("pseudonymize", Pseudonymizing(a.redaction), Pseudonymizing(b.redaction))
        check("monitoring", a.monitoring, b.monitoring)
        keys = Array(Set(keys))
    }

    private mutating func compareLane(_ a: ResolvedConfig.OutputLane, _ b: ResolvedConfig.OutputLane, output: String, batch: String, deadLetter: String) {
        check("\(batch).max_events", a.batch.maxEvents, b.batch.maxEvents)
        check("\(batch).max_bytes", a.batch.maxBytes, b.batch.maxBytes)
        check("\(batch).max_wait", a.batch.maxWait, b.batch.maxWait)
        check("\(output).compression", a.compressionLevel == nil, b.compressionLevel == nil)
        check("\(output).compression_level", a.compressionLevel, b.compressionLevel)
        check("\(output).compression_engine", a.compressionEngine, b.compressionEngine)
        check("\(deadLetter).directory", a.deadLetterDirectory, b.deadLetterDirectory)
        check("\(output).policy", a.policy, b.policy)
        compareOutputs(a.output, b.output, key: output)
    }

    private mutating func compareOutputs(_ a: ResolvedConfig.Output, _ b: ResolvedConfig.Output, key: String) {
        switch (a, b) {
        case (.http(let x), .http(let y)):
            check("\(key).http.url", x.url, y.url)
            check("\(key).http.timeout", x.timeout, y.timeout)
            check("\(key).http.headers", x.headers.map { "\($0.0)=\($0.1)" }, y.headers.map { "\($0.0)=\($0.1)" })
            check("\(key).http.retry", [x.initialBackoff, x.maxBackoff], [y.initialBackoff, y.maxBackoff])
            check("\(key).http.retry", x.maxAttempts, y.maxAttempts)
            check("\(key).http.max_in_flight", x.maxInFlight, y.maxInFlight)
            check("\(key).http.max_body_bytes", x.maxBodyBytes, y.maxBodyBytes)
            check("\(key).http.compression", x.compressionLevel == nil, y.compressionLevel == nil)
            check("\(key).http.format", x.format.name, y.format.name)
            if x.format.name == y.format.name { check("\(key).http.\(x.format.sectionName)", x.format, y.format) }
            check("\(key).http.tls", x.tls, y.tls)
            check("\(key).http.auth", x.auth, y.auth)
        case (.file(let dx, let mx, _), .file(let dy, let my, _)):
            check("\(key).file.directory", dx, dy)
            check("\(key).file.max_file_bytes", mx, my)
        default:
            keys.append(key)
        }
    }
}

/// The parts of `redact:` and `pseudonymize:` a reload compares (a key file's content is read again by itself).
private struct Redacting: Equatable {
    var secrets: Bool, paths: [String], keyFile: String
    init(_ r: ResolvedConfig.Redaction) { (secrets, paths, keyFile) = (r.settings.secrets, r.settings.paths.map(\.description), r.keyFile) }
}

private struct Pseudonymizing: Equatable {
    var fields: [String], keyFile: String, metrics: Bool
    init(_ r: ResolvedConfig.Redaction) {
        (fields, keyFile, metrics) = (r.settings.pseudonymize.map(\.description), r.pseudonymKeyFile, r.pseudonymizedMetrics)
    }
}
