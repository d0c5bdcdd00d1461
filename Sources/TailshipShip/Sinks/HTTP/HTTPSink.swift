import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// POSTs batches in the configured format, keeping connections alive.
/// Retries connection errors, timeouts, 408, 429 and 5xx (but 501), honouring
/// Retry-After, up to `max_attempts` if set; other 4xx, exhausted retries,
/// events too big for one body, and Elasticsearch items that fail for good go
/// to the dead-letter directory and the pipeline moves on. Safe to call
/// concurrently (`max_in_flight`).
public final class HTTPSink: Sink {
    public let options: HTTPSinkOptions
    private let client: HTTPClient
    private let requestURL: String
    private let encoder: FormatEncoder
    private let deadLetters: DeadLetterWriter
    private let logger: Logger
    private let stats: ShipStats
    /// Headers and auth; replaced by a configuration reload.
    public let credentials: RequestCredentials
    private let retryLog = RetryLogLimiter()

    public init(options: HTTPSinkOptions, deadLetters: DeadLetterWriter, stats: ShipStats, logger: Logger) throws {
        self.options = options
        self.deadLetters = deadLetters
        self.logger = logger
        self.stats = stats
        encoder = FormatEncoder(format: options.format, maxBodyBytes: options.maxBodyBytes)
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .milliseconds(Int64(min(options.timeout, 10) * 1000)),
                                      read: .milliseconds(Int64(options.timeout * 1000)))
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        configuration.decompression = .disabled
        configuration.tlsConfiguration = try Self.tlsConfiguration(options.tls)
        var url = options.url
        if let name = options.tls.serverName, var c = URLComponents(string: url), let host = c.host, host != name {
            // Verify (and send SNI for) server_name while connecting to the URL's host.
            configuration.dnsOverride = [name: host]
            c.host = name
            url = c.string ?? url
        }
        requestURL = url
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        credentials = RequestCredentials(headers: options.headers, auth: options.auth)
        if options.tls.insecureSkipVerify {
            logger.warning("output.http.tls.insecure_skip_verify is true: the server's certificate is not checked; anyone on the path can read and change the audit events",
                           metadata: ["url": "\(HTTPSinkOptions.redact(options.url))"])
        }
    }

    static func tlsConfiguration(_ o: TLSOptions) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        do {
            if let ca = o.caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
            if let cert = o.certFile { tls.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) } }
            if let key = o.keyFile { tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)) }
        } catch {
            throw SinkError("output.http.tls: cannot load certificates or key: \(error)")
        }
        if o.insecureSkipVerify { tls.certificateVerification = .none }
        return tls
    }

    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        var bodyPrefix: String { String(decoding: body.prefix(4096), as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
        var headerList: [[String]] { headers.map { [$0.0, $0.1] } }
    }

    enum Outcome {
        case accepted(Response)
        case rejected(Response)
        case gaveUp(reason: String, response: Response?)
    }

    public func deliver(_ batch: Batch) async throws -> Delivery {
        let encoded = encoder.encode(batch.body)
        if encoded.notObjects > 0 {
            stats.nonObjectLines.add(encoded.notObjects, ordering: .relaxed)
            logger.debug("lines that are not JSON objects sent as they are or as strings", metadata: [
                "lines": "\(encoded.notObjects)", "format": "\(options.format.name)", "key": "\(batch.idempotencyKey)"])
        }
        var stored: [String] = []
        if !encoded.oversize.isEmpty {
            stored.append(try await deadLetter(batch, lines: encoded.oversize, key: batch.idempotencyKey + "-oversize",
                                               rejection: RejectionInfo(url: options.url, status: nil,
                                                                        reason: "event larger than max_body_bytes (\(options.maxBodyBytes) bytes) in this format",
                                                                        response: nil)))
        }
        for (k, chunk) in encoded.chunks.enumerated() {
            let key = encoded.chunks.count == 1 ? batch.idempotencyKey : "\(batch.idempotencyKey)-\(k + 1)"
            stored += try await deliver(chunk, key: key, batch: batch)
        }
        return stored.first.map { .deadLettered($0) } ?? .acknowledged
    }

    /// Sends one body until it is accepted, or its lines are dead-lettered.
    private func deliver(_ chunk: FormatEncoder.Chunk, key: String, batch: Batch) async throws -> [String] {
        var chunk = chunk
        var stored: [String] = []
        var round = 0
        while true {
            switch try await send(chunk.body, key: round == 0 ? key : "\(key)-r\(round)") {
            case .accepted(let response):
                guard case .elasticsearchBulk = options.format else { return stored }
                // Per-item results: 409 means already indexed (a replay); 429 and 5xx are retried alone.
                let items = BulkResponse.parse(response.body, count: chunk.lines.count)
                let failed = items.enumerated().filter { $0.element.isPermanentFailure }.map { chunk.lines[$0.offset] }
                let retry = items.enumerated().filter { $0.element.isRetryable }.map { chunk.lines[$0.offset] }
                if !failed.isEmpty {
                    let errors = items.filter(\.isPermanentFailure).prefix(20).map(\.summary).joined(separator: "\n")
                    stored.append(try await deadLetter(batch, lines: failed, key: "\(key)-items\(round)", rejection: RejectionInfo(
                        url: options.url, status: response.status, reason: "Elasticsearch rejected \(failed.count) bulk item(s)",
                        response: errors, responseHeaders: response.headerList)))
                }
                guard !retry.isEmpty else { return stored }
                round += 1
                if let max = options.maxAttempts, round >= max {
                    stored.append(try await deadLetter(batch, lines: retry, key: "\(key)-items\(round)", rejection: RejectionInfo(
                        url: options.url, status: response.status, reason: "bulk items still failing after \(round) attempts", response: nil)))
                    return stored
                }
                let wait = options.backoff(attempt: round - 1)
                logger.warning("bulk items to retry", metadata: ["items": "\(retry.count)", "retry_in": "\(Int(wait * 1000))ms", "key": "\(key)"])
                stats.retries.add(1, ordering: .relaxed)
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
                guard let next = encoder.encode(batch.body, only: retry).chunks.first else { return stored }
                chunk = next
            case .rejected(let response):
                stored.append(try await deadLetter(batch, lines: chunk.lines, key: key, rejection: RejectionInfo(
                    url: options.url, status: response.status, reason: "rejected by the receiver", response: response.bodyPrefix,
                    responseHeaders: response.headerList)))
                return stored
            case .gaveUp(let reason, let response):
                stored.append(try await deadLetter(batch, lines: chunk.lines, key: key, rejection: RejectionInfo(
                    url: options.url, status: response?.status, reason: reason, response: response?.bodyPrefix,
                    responseHeaders: response?.headerList)))
                return stored
            }
        }
    }

    /// POSTs until accepted, refused for good, or out of attempts.
    private func send(_ body: [UInt8], key: String) async throws -> Outcome {
        // Built once: every attempt sends the same buffer.
        let wire: ByteBuffer
        if let level = options.compressionLevel {
            wire = try Gzip.compress(body, level: level, allocator: ByteBufferAllocator())
        } else {
            wire = ByteBuffer(bytes: body)
        }
        var attempt = 0
        while true {
            try Task.checkCancellation()
            var failure: String
            var retryAfter: Double?
            var last: Response?
            do {
                let response = try await post(wire, key: key)
                if (200..<300).contains(response.status) {
                    retryLog.reset()
                    stats.bytesSent.add(wire.readableBytes, ordering: .relaxed)
                    return .accepted(response)
                }
                if !HTTPSinkOptions.isRetryable(status: response.status) { return .rejected(response) }
                failure = "status \(response.status)"
                last = response
                if response.status == 429 || response.status == 503 {
                    retryAfter = RetryAfter.seconds(response.header("retry-after"))
                }
            } catch {
                if Task.isCancelled { throw CancellationError() }
                failure = Self.describe(error, url: requestURL)
            }
            attempt += 1
            if let max = options.maxAttempts, attempt >= max {
                logger.error("giving up after retry.max_attempts", metadata: ["attempts": "\(attempt)", "error": "\(failure)", "key": "\(key)"])
                return .gaveUp(reason: "no success after \(attempt) attempts (last: \(failure))", response: last)
            }
            let wait = retryAfter.map { min($0, options.maxBackoff) } ?? options.backoff(attempt: attempt - 1)
            stats.retries.add(1, ordering: .relaxed)
            let (log, suppressed) = retryLog.shouldLog(attempt: attempt)
            if log {
                logger.warning("send failed; will retry", metadata: [
                    "url": "\(HTTPSinkOptions.redact(options.url))", "error": "\(failure)", "attempt": "\(attempt)",
                    "status": "\(last.map { String($0.status) } ?? "-")", "retry_in": "\(Int(wait * 1000))ms", "key": "\(key)",
                    "suppressed": "\(suppressed)",
                ])
            }
            try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }

    /// Sends stored NDJSON lines again (`tailship deadletter replay`), without
    /// writing new dead letters: nil when every event was accepted, else why not.
    public func resend(lines: [UInt8], key: String) async throws -> String? {
        let encoded = encoder.encode(lines)
        if !encoded.oversize.isEmpty { return "\(encoded.oversize.count) event(s) larger than max_body_bytes" }
        for (k, chunk) in encoded.chunks.enumerated() {
            switch try await send(chunk.body, key: encoded.chunks.count == 1 ? key : "\(key)-\(k + 1)") {
            case .accepted(let response):
                if case .elasticsearchBulk = options.format {
                    let items = BulkResponse.parse(response.body, count: chunk.lines.count)
                    if let bad = items.first(where: { $0.isPermanentFailure || $0.isRetryable }) { return "bulk item \(bad.summary)" }
                }
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

    public func shutdown() async {
        try? await client.shutdown()
    }

    private func post(_ body: ByteBuffer, key: String) async throws -> Response {
        var request = HTTPClientRequest(url: requestURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: options.format.contentType)
        if options.compressionLevel != nil {
            request.headers.add(name: "Content-Encoding", value: "gzip")
        }
        request.headers.add(name: "Idempotency-Key", value: key)
        for (name, value) in try credentials.requestHeaders() {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.body = .bytes(body)
        let start = ContinuousClock.now
        defer { stats.sendDuration.record(duration: ContinuousClock.now - start) }
        let response = try await client.execute(request, timeout: .milliseconds(Int64(options.timeout * 1000)))
        // Read the whole body so the connection can be reused; keep what is needed.
        let keep: Int
        if case .elasticsearchBulk = options.format { keep = 64 << 20 } else { keep = 4096 }
        var kept: [UInt8] = []
        for try await var chunk in response.body {
            if kept.count < keep, let bytes = chunk.readBytes(length: min(chunk.readableBytes, keep - kept.count)) {
                kept += bytes
            }
        }
        return Response(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: kept)
    }

    /// Stores the given lines of a batch; retries (without end) if the directory cannot be written, never dropping them.
    private func deadLetter(_ batch: Batch, lines: [Int], key: String, rejection: RejectionInfo) async throws -> String {
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
