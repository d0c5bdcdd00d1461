import NIOCore

/// The two stages of an HTTP delivery: `prepare` (encoding and compression: CPU, run for
/// several batches at once on every core) and `send` (the requests: at most `max_in_flight`
/// at once, which the shipper enforces). `deliver` runs both, for callers without a shipper.
extension HTTPSink: StagedSink {
    public func deliver(_ batch: Batch) async throws -> Delivery {
        try await send(try await prepare(batch), of: batch)
    }

    public func prepare(_ batch: Batch) async throws -> PreparedRequests {
        let encoded = encoder.encode(batch.body)
        return PreparedRequests(encoded: encoded, wires: try encoded.chunks.map { try wire($0.body) })
    }

    public func send(_ prepared: PreparedRequests, of batch: Batch) async throws -> Delivery {
        let encoded = prepared.encoded
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
        if !encoded.invalid.isEmpty {
            stored.append(try await deadLetter(batch, lines: encoded.invalid, key: batch.idempotencyKey + "-invalid",
                                               rejection: RejectionInfo(url: options.url, status: nil,
                                                                        reason: "not a JSON object, or not an audit event, where format \(options.format.name) needs one",
                                                                        response: nil)))
        }
        if encoded.dropped > 0 {
            logger.warning("lines that are not JSON objects or audit events left out (policy_on_invalid or clickhouse.on_invalid: drop)",
                           metadata: ["lines": "\(encoded.dropped)", "key": "\(batch.idempotencyKey)"])
        }
        for (k, chunk) in encoded.chunks.enumerated() {
            let key = encoded.chunks.count == 1 ? batch.idempotencyKey : "\(batch.idempotencyKey)-\(k + 1)"
            stored += try await deliver(chunk, key: key, batch: batch, wire: prepared.wires[k])
        }
        return stored.first.map { .deadLettered($0) } ?? .acknowledged
    }
}

/// A batch encoded in the output's format and cut into bodies, each as it goes on the wire.
public struct PreparedRequests: Sendable {
    let encoded: FormatEncoder.Encoded
    let wires: [ByteBuffer]
}
