import Foundation
import NIOSSL

extension HTTPSink {
    /// Sends stored NDJSON lines again (`tailship deadletter replay`), without
    /// writing new dead letters: nil when every event was accepted, else why not.
    public func resend(lines: [UInt8], key: String) async throws -> String? {
        let encoded = encoder.encode(lines)
        if !encoded.oversize.isEmpty { return "\(encoded.oversize.count) event(s) larger than max_body_bytes" }
        if !encoded.invalid.isEmpty { return "\(encoded.invalid.count) line(s) that format \(options.format.name) cannot carry" }
        for (k, chunk) in encoded.chunks.enumerated() {
            switch try await send(try wire(chunk.body), key: encoded.chunks.count == 1 ? key : "\(key)-\(k + 1)") {
            case .accepted(let response):
                let items = options.format.acceptedItems(body: response.body, count: chunk.lines.count)
                if !items.isComplete { return "item \(items.errors.split(separator: "\n").first ?? "")" }
            case .rejected(let response): return "status \(response.status): \(response.bodyPrefix.prefix(200))"
            case .gaveUp(let reason, _): return reason
            }
        }
        return nil
    }

    /// A send error in words an operator can act on.
    static func describe(_ error: Error, url: String) -> String {
        let text = "\(error)"
        let host = URLComponents(string: url)?.host ?? url
        if error is NIOSSLError || text.contains("handshake") || text.contains("CERTIFICATE") || text.contains("certificate") {
            return "TLS handshake with \(host) failed (is the server certificate signed by tls.ca_file, for this name? does the server want a client certificate?): \(text)"
        }
        return text
    }

    /// Stores the given lines of a batch; retries (without end) if the directory cannot be written, never dropping them.
    func deadLetter(_ batch: Batch, lines: [Int], key: String, rejection: RejectionInfo) async throws -> String {
        let ranges = FormatEncoder.lineRanges(batch.body)
        var body: [UInt8] = []
        for i in lines {
            body += batch.body[ranges[i]]
            body.append(0x0A)
        }
        var attempt = 0
        while true {
            do {
                let path = try deadLetters.write(lines: body, events: lines.count, key: key, batch: batch, rejection: rejection)
                stats.eventsDeadLettered.add(lines.count, ordering: .relaxed)
                logger.error("events stored in the dead-letter directory", metadata: [
                    "url": "\(rejection.url ?? "")", "status": "\(rejection.status.map(String.init) ?? "-")", "reason": "\(rejection.reason)",
                    "events": "\(lines.count)", "dead_letter": "\(path)", "response": "\((rejection.response ?? "").prefix(200))",
                ])
                return path
            } catch {
                attempt += 1
                logger.error("cannot write dead letter; will retry", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(min(30, attempt)))
            }
        }
    }
}
