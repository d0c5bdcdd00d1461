import TailshipBasics
import TailshipTail
#if canImport(Glibc)
import Glibc
#endif

/// Keeps audit events whose `requestReceivedTimestamp` lies in [since, until],
/// reading only that field's bytes, never decoding the event.
public struct AuditTimeFilter: Sendable {
    public var since: Double?
    public var until: Double?

    public init(since: Double?, until: Double?) {
        self.since = since
        self.until = until
    }

    static let key = Array(#""requestReceivedTimestamp":""#.utf8)

    /// Whether the line is kept. A line without the field is not kept (it cannot be placed in time).
    public func keeps(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let t = Self.timestamp(in: line) else { return false }
        if let since, t < since { return false }
        if let until, t > until { return false }
        return true
    }

    /// The field's value as Unix seconds.
    static func timestamp(in line: UnsafeRawBufferPointer) -> Double? {
        let key = Self.key
        guard line.count > key.count, let base = line.baseAddress else { return nil }
        var i = 0
        while i + key.count < line.count {
            guard let hit = memchr(base + i, Int32(key[0]), line.count - i - key.count) else { return nil }
            let j = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + j, key, key.count) == 0 {
                let start = j + key.count
                var end = start
                while end < line.count && line[end] != 0x22 { end += 1 }
                return RFC3339.parse(UnsafeRawBufferPointer(rebasing: line[start..<end]))
            }
            i = j + 1
        }
        return nil
    }
}
