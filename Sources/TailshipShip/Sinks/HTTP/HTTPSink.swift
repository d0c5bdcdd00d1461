import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// POSTs batches in the configured format, keeping connections alive.
/// Retries connection errors, timeouts, 408, 429 and 5xx (but 501), honouring
/// Retry-After, up to `max_attempts` if set; other 4xx, exhausted retries,
/// events too big for one body, and items an accepted body's answer refuses for
/// good go to the dead-letter directory and the pipeline moves on. What an answer
/// means is the format's (`OutputFormat+Response`). Safe to call concurrently
/// (`max_in_flight`).
public final class HTTPSink: Sink {
    public let options: HTTPSinkOptions
    let client: HTTPClient
    let requestURL: String
    let encoder: FormatEncoder
    let deadLetters: DeadLetterWriter
    let logger: Logger
    let stats: ShipStats
    /// Headers and auth; replaced by a configuration reload.
    public let credentials: RequestCredentials
    let retryLog = RetryLogLimiter()

    public init(options: HTTPSinkOptions, deadLetters: DeadLetterWriter, stats: ShipStats, logger: Logger) throws {
        self.options = options
        self.deadLetters = deadLetters
        self.logger = logger
        self.stats = stats
        encoder = FormatEncoder(format: options.format, maxBodyBytes: options.maxBodyBytes, nonItems: options.nonItems)
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
        requestURL = options.format.requestURL(base: url)
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

    /// Sends one body until it is accepted, or its lines are dead-lettered.
    /// `wire`: the chunk's body as prepared (compressed) for the first attempt.
    func deliver(_ chunk: FormatEncoder.Chunk, key: String, batch: Batch, wire: ByteBuffer? = nil) async throws -> [String] {
        var chunk = chunk
        var stored: [String] = []
        var round = 0
        while true {
            let body = try (round == 0 ? wire : nil) ?? self.wire(chunk.body)
            switch try await send(body, key: round == 0 ? key : "\(key)-r\(round)") {
            case .accepted(let response):
                let items = options.format.acceptedItems(body: response.body, count: chunk.lines.count)
                guard !items.isComplete else { return stored }
                let failed = items.failed.map { chunk.lines[$0] }
                let retry = items.retry.map { chunk.lines[$0] }
                if !failed.isEmpty {
                    stored.append(try await deadLetter(batch, lines: failed, key: "\(key)-items\(round)", rejection: RejectionInfo(
                        url: options.url, status: response.status, reason: options.format.itemsRejectedReason(failed.count),
                        response: items.errors, responseHeaders: response.headerList)))
                }
                guard !retry.isEmpty else { return stored }
                round += 1
                if let max = options.maxAttempts, round >= max {
                    stored.append(try await deadLetter(batch, lines: retry, key: "\(key)-items\(round)", rejection: RejectionInfo(
                        url: options.url, status: response.status, reason: "items still failing after \(round) attempts", response: nil)))
                    return stored
                }
                let wait = options.backoff(attempt: round - 1)
                logger.warning("items of an accepted body to retry", metadata: ["items": "\(retry.count)", "retry_in": "\(Int(wait * 1000))ms", "key": "\(key)"])
                stats.retries.add(1, ordering: .relaxed)
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
                guard let next = encoder.encode(batch.body, only: retry).chunks.first else { return stored }
                chunk = next
            case .rejected(let response) where response.status == 413 && chunk.lines.count > 1:
                return stored + (try await deliverInHalves(chunk, key: key, batch: batch, response: response))
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

    /// 413: the receiver takes smaller bodies. Each half is sent on its own (and halved again
    /// while it is refused), so only a single event still too large is dead-lettered.
    private func deliverInHalves(_ chunk: FormatEncoder.Chunk, key: String, batch: Batch, response: Response) async throws -> [String] {
        let half = chunk.lines.count / 2
        logger.warning("body too large for the receiver (413); sending it in halves", metadata: [
            "events": "\(chunk.lines.count)", "bytes": "\(chunk.body.count)", "key": "\(key)"])
        stats.splits.add(1, ordering: .relaxed)
        var stored: [String] = []
        for (suffix, part) in [("a", Array(chunk.lines[..<half])), ("b", Array(chunk.lines[half...]))] {
            let pieces = encoder.encode(batch.body, only: part).chunks
            for (k, piece) in pieces.enumerated() {
                stored += try await deliver(piece, key: pieces.count == 1 ? "\(key)-\(suffix)" : "\(key)-\(suffix)\(k + 1)", batch: batch)
            }
        }
        return stored
    }

    /// A body as sent: gzipped with the configured engine and level, or as it is.
    func wire(_ body: [UInt8]) throws -> ByteBuffer {
        guard let level = options.compressionLevel else { return ByteBuffer(bytes: body) }
        return try Gzip.compress(body, level: level, engine: options.compressionEngine, allocator: ByteBufferAllocator())
    }

    /// POSTs until accepted, refused for good, or out of attempts; every attempt sends the same buffer.
    func send(_ wire: ByteBuffer, key: String) async throws -> Outcome {
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
                if !HTTPSinkOptions.isRetryable(status: response.status)
                    || options.format.isPermanentFailure(status: response.status, headers: response.headers, body: response.body) {
                    return .rejected(response)
                }
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
        let keep = options.format.responseBytesNeeded
        var kept: [UInt8] = []
        for try await var chunk in response.body {
            if kept.count < keep, let bytes = chunk.readBytes(length: min(chunk.readableBytes, keep - kept.count)) {
                kept += bytes
            }
        }
        return Response(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: kept)
    }
}
