import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// POSTs each payload, keeping connections alive. Retries connection errors,
/// timeouts, 408, 429 and 5xx without limit; other 4xx go to the dead-letter
/// directory and the pipeline moves on.
public final class HTTPSink: Sink {
    public let options: HTTPSinkOptions
    private let client: HTTPClient
    private let deadLetters: DeadLetterWriter
    private let logger: Logger
    private let stats: ShipStats

    public init(options: HTTPSinkOptions, deadLetters: DeadLetterWriter, stats: ShipStats, logger: Logger) {
        self.options = options
        self.deadLetters = deadLetters
        self.logger = logger
        self.stats = stats
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .milliseconds(Int64(min(options.timeout, 10) * 1000)),
                                      read: .milliseconds(Int64(options.timeout * 1000)))
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    struct Response {
        var status: Int
        var bodyPrefix: String
    }

    public func deliver(_ payload: Payload) async throws -> Delivery {
        var attempt = 0
        while true {
            try Task.checkCancellation()
            let outcome: String
            do {
                let response = try await post(payload)
                if (200..<300).contains(response.status) {
                    return .acknowledged
                }
                if !HTTPSinkOptions.isRetryable(status: response.status) {
                    return try await deadLetter(payload, response: response)
                }
                outcome = "status \(response.status)"
            } catch {
                if Task.isCancelled { throw CancellationError() }
                outcome = "\(error)"
            }
            let wait = options.backoff(attempt: attempt)
            attempt += 1
            stats.retries.add(1, ordering: .relaxed)
            logger.warning("send failed; will retry", metadata: [
                "url": "\(options.url)", "error": "\(outcome)", "attempt": "\(attempt)",
                "retry_in": "\(Int(wait * 1000))ms", "key": "\(payload.batch.idempotencyKey)",
            ])
            try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    private func post(_ payload: Payload) async throws -> Response {
        var request = HTTPClientRequest(url: options.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: payload.contentType)
        if payload.gzipped {
            request.headers.add(name: "Content-Encoding", value: "gzip")
        }
        request.headers.add(name: "Idempotency-Key", value: payload.batch.idempotencyKey)
        for (name, value) in options.headers {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: payload.body))
        let response = try await client.execute(request, timeout: .milliseconds(Int64(options.timeout * 1000)))
        // Read the whole body so the connection can be reused; keep its first 4 KiB.
        var prefix: [UInt8] = []
        for try await var chunk in response.body {
            if prefix.count < 4096, let bytes = chunk.readBytes(length: min(chunk.readableBytes, 4096 - prefix.count)) {
                prefix += bytes
            }
        }
        return Response(status: Int(response.status.code), bodyPrefix: String(decoding: prefix, as: UTF8.self))
    }

    private func deadLetter(_ payload: Payload, response: Response) async throws -> Delivery {
        var attempt = 0
        while true {
            do {
                let path = try deadLetters.write(payload, rejection: RejectionInfo(
                    url: options.url, status: response.status, reason: "rejected by the receiver", response: response.bodyPrefix))
                logger.error("batch rejected; stored in the dead-letter directory", metadata: [
                    "url": "\(options.url)", "status": "\(response.status)", "events": "\(payload.batch.events)",
                    "dead_letter": "\(path)", "response": "\(response.bodyPrefix.prefix(200))",
                ])
                return .deadLettered(path)
            } catch {
                // Cannot store it: keep it (uncommitted) rather than lose it.
                attempt += 1
                logger.error("cannot write dead letter; will retry", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(min(30, attempt)))
            }
        }
    }
}
