import TailshipWebhook

extension ResolvedConfig {
    /// A webhook input as `check` prints it (the spool's segments are followed from their beginning).
    func describe(_ w: WebhookSettings, pattern: String) -> String {
        let host = w.host.contains(":") ? "[\(w.host)]" : w.host
        var out = "  - webhook:  # its spool is followed as \(quote(pattern)), from the beginning\n"
        out += "      listen: \(quote("\(host):\(w.port)"))\n      path: \(quote(w.path))\n"
        out += "      max_body_bytes: \(ByteSize(w.maxBodyBytes))\n"
        out += "      spool: {directory: \(quote(w.spool.directory)), max_bytes: \(ByteSize(Int(w.spool.maxBytes))), "
        out += "segment_bytes: \(ByteSize(Int(w.spool.segmentBytes)))}\n"
        if let t = w.tls {
            out += "      tls: {cert_file: \(quote(t.certFile)), key_file: \(quote(t.keyFile))"
            out += (t.clientCAFile.map { ", client_ca_file: \(quote($0))" } ?? "") + "}\n"
        }
        out += "      dedupe_with_files: \(w.dedupeWithFiles)\n"
        return out
    }
}
