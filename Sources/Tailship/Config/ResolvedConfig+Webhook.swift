import TailshipTail
import TailshipWebhook

extension ResolvedConfig {
    /// A webhook input: its spool segments are followed from their beginning like files
    /// (no backups: segments are never rotated, only deleted once every output has them).
    static func resolveWebhookInput(_ section: InputSection, _ w: WebhookSection, at i: Int) throws -> Input {
        let key = "inputs[\(i)].webhook"
        guard section.paths == nil, section.startAt == nil, section.backups == nil else {
            throw ConfigError("inputs[\(i)]", "a webhook input takes no paths, start_at or backups (its spool is followed from the beginning)")
        }
        let listen = w.listen ?? ConfigDefaults.webhookListen
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigError("\(key).listen", "must be HOST:PORT (for example 127.0.0.1:9765), not \"\(listen)\"")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ConfigError("\(key).listen", "needs a host: 127.0.0.1:\(port) for this node only") }
        let path = w.path ?? ConfigDefaults.webhookPath
        guard path.hasPrefix("/") else { throw ConfigError("\(key).path", "must start with /, not \"\(path)\"") }
        let maxBody = w.maxBodyBytes?.bytes ?? ConfigDefaults.webhookMaxBodyBytes
        guard maxBody >= 1024 else { throw ConfigError("\(key).max_body_bytes", "must be at least 1KiB") }
        let spool = try resolveSpool(w.spool, key: "\(key).spool")
        var tls: WebhookSettings.TLS?
        if let t = w.tls {
            guard let cert = t.certFile, !cert.isEmpty, let keyFile = t.keyFile, !keyFile.isEmpty else {
                throw ConfigError("\(key).tls", "needs both cert_file and key_file")
            }
            tls = WebhookSettings.TLS(certFile: cert, keyFile: keyFile, clientCAFile: t.clientCaFile)
        }
        let maxLine = section.maxLineBytes?.bytes ?? ConfigDefaults.maxLineBytes
        guard maxLine >= 1 else { throw ConfigError("inputs[\(i)].max_line_bytes", "must be at least 1B") }
        let maxOpen = section.maxOpenFiles ?? ConfigDefaults.maxOpenFiles
        guard maxOpen >= 1 else { throw ConfigError("inputs[\(i)].max_open_files", "must be at least 1") }
        let settings = WebhookSettings(host: host, port: port, path: path, maxBodyBytes: maxBody, spool: spool, tls: tls,
                                       dedupeWithFiles: w.dedupeWithFiles ?? false)
        return Input(paths: [SpoolSegment.pattern(in: spool.directory)], startAtEnd: false, maxLineBytes: maxLine,
                     backups: .none, maxOpenFiles: maxOpen, webhook: settings)
    }

    private static func resolveSpool(_ s: WebhookSection.SpoolSection?, key: String) throws -> SpoolSettings {
        let directory = s?.directory ?? ConfigDefaults.spoolDirectory
        guard !directory.isEmpty else { throw ConfigError("\(key).directory", "must not be empty") }
        let maxBytes = s?.maxBytes?.bytes ?? ConfigDefaults.spoolMaxBytes
        let segment = s?.segmentBytes?.bytes ?? ConfigDefaults.spoolSegmentBytes
        guard segment >= 4096 else { throw ConfigError("\(key).segment_bytes", "must be at least 4KiB") }
        guard maxBytes >= segment else { throw ConfigError("\(key).max_bytes", "must be at least segment_bytes (\(segment))") }
        return SpoolSettings(directory: directory, maxBytes: UInt64(maxBytes), segmentBytes: UInt64(segment))
    }
}
