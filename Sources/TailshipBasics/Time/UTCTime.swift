#if canImport(Glibc)
import Glibc
#endif

/// Calendar time in UTC to Unix seconds, for times read from names and events.
public enum UTCTime {
    /// nil when a field is out of range.
    public static func seconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Double? {
        guard (1...12).contains(month), (1...31).contains(day), (0..<24).contains(hour), (0..<60).contains(minute),
              (0..<61).contains(second) else { return nil }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month - 1)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(hour)
        t.tm_min = Int32(minute)
        t.tm_sec = Int32(second)
        return Double(timegm(&t))
    }

    /// Wall-clock time in nanoseconds since the epoch.
    public static func nowNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// A moment as UTC calendar fields, for the timestamps and names Tailship writes.
public struct CivilTime: Sendable, Equatable {
    public var year, month, day, hour, minute, second: Int
    public var nanosecond: Int

    /// `seconds` since the epoch (fraction kept to the nanosecond).
    public init(seconds: Double) {
        let whole = seconds.rounded(.down)
        self.init(epochSeconds: Int64(whole), nanosecond: min(999_999_999, Int((seconds - whole) * 1e9)))
    }

    public init(epochSeconds: Int64, nanosecond: Int = 0) {
        var t = time_t(epochSeconds)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        year = Int(tmv.tm_year) + 1900
        month = Int(tmv.tm_mon) + 1
        day = Int(tmv.tm_mday)
        hour = Int(tmv.tm_hour)
        minute = Int(tmv.tm_min)
        second = Int(tmv.tm_sec)
        self.nanosecond = nanosecond
    }

    /// The current time.
    public static func now() -> CivilTime {
        let ns = UTCTime.nowNanoseconds()
        return CivilTime(epochSeconds: ns / 1_000_000_000, nanosecond: Int(ns % 1_000_000_000))
    }

    public var millisecond: Int { nanosecond / 1_000_000 }
    public var microsecond: Int { nanosecond / 1000 }
}
