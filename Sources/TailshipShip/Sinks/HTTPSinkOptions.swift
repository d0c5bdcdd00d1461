/// How the HTTP output sends and retries.
public struct HTTPSinkOptions: Sendable {
    public var url: String
    /// Seconds for one request, connection included.
    public var timeout: Double
    public var headers: [(String, String)]
    /// Seconds; the first retry waits about this long.
    public var initialBackoff: Double
    /// Seconds; no wait between retries is longer.
    public var maxBackoff: Double

    public init(url: String, timeout: Double = 30, headers: [(String, String)] = [], initialBackoff: Double = 0.5, maxBackoff: Double = 30) {
        self.url = url
        self.timeout = timeout
        self.headers = headers
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// Wait before retry number `attempt` (0-based): exponential, with jitter
    /// so that many shippers recovering together do not send in step.
    public func backoff(attempt: Int) -> Double {
        let ceiling = min(maxBackoff, initialBackoff * Double(1 << min(attempt, 30)))
        let floor = min(initialBackoff, ceiling)
        return Double.random(in: floor...max(floor, ceiling))
    }

    /// 408, 429 and 5xx are worth another try; any other 4xx never will succeed.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || status >= 500 || status < 200
    }
}
