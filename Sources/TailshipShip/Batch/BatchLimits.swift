/// When a batch closes: whichever limit is reached first.
public struct BatchLimits: Sendable, Equatable {
    public var maxEvents: Int
    public var maxBytes: Int
    /// Seconds after a batch's first event.
    public var maxWait: Double

    public init(maxEvents: Int = 1000, maxBytes: Int = 1 << 20, maxWait: Double = 1) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
        self.maxWait = maxWait
    }
}
