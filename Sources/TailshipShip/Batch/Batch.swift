import TailshipBasics

/// The part of one file a batch covers. Committing `end` is safe once the batch is acknowledged.
public struct BatchSegment: Sendable, Equatable {
    public var identity: FileIdentity
    public var epoch: UInt64
    public var fingerprint: UInt64
    /// `LineSource.content`: the same content under another identity.
    public var content: UInt64? = nil
    public var path: String
    public var start: UInt64
    public var end: UInt64
}

/// Lines ready to ship: the NDJSON body (each line unchanged plus `\n`) and
/// the file ranges it covers, in read order.
public struct Batch: Sendable {
    public var sequence: UInt64
    public var body: [UInt8]
    public var events: Int
    public var segments: [BatchSegment]
    /// A batch sent again after a restart keeps the key it was sent with (its file's
    /// fingerprint may have grown since, which would change a computed key).
    public var recordedKey: String?

    public init(sequence: UInt64, body: [UInt8], events: Int, segments: [BatchSegment], recordedKey: String? = nil) {
        self.sequence = sequence
        self.body = body
        self.events = events
        self.segments = segments
        self.recordedKey = recordedKey
    }

    /// Deterministic: the same file ranges always give the same key, so a batch
    /// sent again after a crash can be recognised by the receiver.
    public var idempotencyKey: String {
        if let recordedKey { return recordedKey }
        var text = ""
        for s in segments {
            text += "\(s.identity.device):\(s.identity.inode):\(String(s.fingerprint, radix: 16)):\(s.start)-\(s.end);"
        }
        let digits = String(FNV1a.hash(text), radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
