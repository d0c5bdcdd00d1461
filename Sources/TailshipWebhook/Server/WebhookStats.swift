import Synchronization

/// The webhook's counters, read when metrics are scraped.
public final class WebhookStats: Sendable {
    private let byStatus = Mutex<[Int: Int]>([:])
    public let eventsReceived = Atomic<Int>(0)

    public init() {}

    func answered(_ status: Int) { byStatus.withLock { $0[status, default: 0] += 1 } }

    /// Requests answered, by HTTP status.
    public var requests: [Int: Int] { byStatus.withLock { $0 } }
}
