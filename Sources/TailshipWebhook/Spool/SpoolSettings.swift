/// Where the webhook's events are spooled and how much may be.
public struct SpoolSettings: Sendable, Equatable {
    public var directory: String
    /// Spool full past this: requests get 429.
    public var maxBytes: UInt64
    /// A new segment is started once the current one holds this much.
    public var segmentBytes: UInt64

    public init(directory: String, maxBytes: UInt64, segmentBytes: UInt64) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.segmentBytes = segmentBytes
    }
}
