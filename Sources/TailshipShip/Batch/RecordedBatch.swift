import TailshipBasics

/// A batch as it was handed to the output: its key and the file ranges it
/// covers. Kept durably until acknowledged, so after a crash the same lines
/// are cut into the same batch and sent again under the same key.
public struct RecordedBatch: Codable, Sendable, Equatable {
    public struct Range: Codable, Sendable, Equatable {
        public var device: UInt64
        public var inode: UInt64
        public var start: UInt64
        public var end: UInt64
        /// The file's content fingerprint (`LineSource.content`); absent in journals written before it.
        public var content: UInt64?

        public var identity: FileIdentity { FileIdentity(device: device, inode: inode) }

        /// Lines of `source` belong to this range's file: the same identity, or the same content
        /// read under another (a rotated file compressed and deleted while Tailship was down,
        /// resumed inside its `.gz`).
        public func holds(_ source: LineSource) -> Bool {
            identity == source.identity || (content != nil && content == source.content)
        }
    }

    public var key: String
    public var ranges: [Range]

    public init(_ batch: Batch) {
        key = batch.idempotencyKey
        ranges = batch.segments.map { Range(device: $0.identity.device, inode: $0.identity.inode, start: $0.start, end: $0.end, content: $0.content) }
    }

    public init(key: String, ranges: [Range]) {
        self.key = key
        self.ranges = ranges
    }
}
