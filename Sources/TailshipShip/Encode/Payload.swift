/// A batch's body as it goes on the wire.
public struct Payload: Sendable {
    public var batch: Batch
    /// The encoded body, gzipped when `gzipped`.
    public var body: [UInt8]
    public var gzipped: Bool
    public var contentType: String

    /// Encodes (NDJSON: the batch body as it is) and compresses a batch.
    /// `level` nil means no compression.
    public init(batch: Batch, level: Int32?) throws {
        self.batch = batch
        self.contentType = "application/x-ndjson"
        if let level {
            body = try Gzip.compress(batch.body, level: level)
            gzipped = true
        } else {
            body = batch.body
            gzipped = false
        }
    }

    /// The body gzipped whatever the configured compression (for files kept on disk).
    public func gzippedBody() throws -> [UInt8] {
        gzipped ? body : try Gzip.compress(body, level: 6)
    }
}
