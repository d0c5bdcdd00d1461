import Foundation
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// The `Retry-After` header: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// Seconds to wait from `now` (Unix seconds); nil when absent or unreadable.
    public static func seconds(_ value: String?, now: Double = Date().timeIntervalSince1970) -> Double? {
        guard let raw = value?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        if let n = Int(raw), n >= 0 { return Double(n) }
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        let parts = raw.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3,
              let t = UTCTime.seconds(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2]) else { return nil }
        return max(0, t - now)
    }
}
