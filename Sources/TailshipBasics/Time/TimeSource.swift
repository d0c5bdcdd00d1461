/// The two clocks the tail reads: a monotonic one for waits, the wall clock
/// for the times kept in the registry. Injected, so the rotation core can be
/// driven in-process with time standing still or jumping.
public protocol TimeSource: Sendable {
    /// Seconds on a clock that never jumps.
    var monotonic: Double { get }
    /// Unix seconds.
    var wall: Double { get }
}

/// The system's clocks.
public struct SystemTime: TimeSource {
    public init() {}
    public var monotonic: Double { monotonicSeconds() }
    public var wall: Double { Double(UTCTime.nowNanoseconds()) / 1e9 }
}
