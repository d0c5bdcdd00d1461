import Synchronization

/// During an outage every in-flight batch retries on its own schedule; logging
/// each attempt of each batch would flood the log. This lets through one line
/// per backoff step (the first batch to reach attempt N logs it) and counts the
/// rest, until a send succeeds and a new outage starts afresh.
public final class RetryLogLimiter: Sendable {
    private struct State {
        var highestLogged = 0
        var suppressed = 0
    }
    private let state = Mutex(State())

    public init() {}

    /// Whether to log this attempt, and how many lines were held back since the last one logged.
    public func shouldLog(attempt: Int) -> (log: Bool, suppressed: Int) {
        state.withLock { s in
            guard attempt > s.highestLogged else {
                s.suppressed += 1
                return (false, 0)
            }
            s.highestLogged = attempt
            defer { s.suppressed = 0 }
            return (true, s.suppressed)
        }
    }

    /// A send succeeded: the outage (if any) is over.
    public func reset() {
        state.withLock { $0 = State() }
    }
}
