/// A size in bytes, written `16MiB`, `512KiB`, `4096B`, `1GiB` or as a plain number of bytes.
public struct ByteSize: Decodable, Sendable, Equatable, CustomStringConvertible {
    public var bytes: Int

    public init(_ bytes: Int) { self.bytes = bytes }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) {
            guard n >= 0 else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "must not be negative") }
            bytes = n
            return
        }
        let text = try c.decode(String.self)
        guard let parsed = ByteSize.parse(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a size: \"\(text)\" (use B, KiB, MiB or GiB, e.g. 16MiB)")
        }
        self = parsed
    }

    public static func parse(_ text: String) -> ByteSize? {
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]
        let t = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let n = Int(number), n >= 0, n <= Int.max / factor else { return nil }
            return ByteSize(n * factor)
        }
        if let n = Int(t), n >= 0 { return ByteSize(n) }
        return nil
    }

    /// The largest unit that states it exactly.
    public var description: String {
        for (suffix, factor) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes > 0 && bytes % factor == 0 {
            return "\(bytes / factor)\(suffix)"
        }
        return "\(bytes)B"
    }
}

/// A duration, written `500ms`, `1s`, `5m`, `1h` or as a plain number of seconds.
public struct DurationValue: Decodable, Sendable, Equatable, CustomStringConvertible {
    public var milliseconds: Int

    public init(milliseconds: Int) { self.milliseconds = milliseconds }

    public var seconds: Double { Double(milliseconds) / 1000 }

    /// As a `Duration`.
    public var duration: Duration { .milliseconds(milliseconds) }

    /// A `Duration` to the millisecond.
    public init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        milliseconds = Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Double.self) {
            guard n >= 0 else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "must not be negative") }
            milliseconds = Int(n * 1000)
            return
        }
        let text = try c.decode(String.self)
        guard let parsed = DurationValue.parse(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a duration: \"\(text)\" (use ms, s, m or h, e.g. 500ms)")
        }
        self = parsed
    }

    public static func parse(_ text: String) -> DurationValue? {
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        let t = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let n = Double(number), n >= 0, n.isFinite else { continue }
            return DurationValue(milliseconds: Int((n * factor).rounded()))
        }
        return nil
    }

    public var description: String {
        for (suffix, factor) in [("h", 3_600_000), ("m", 60_000), ("s", 1000)] where milliseconds > 0 && milliseconds % factor == 0 {
            return "\(milliseconds / factor)\(suffix)"
        }
        return "\(milliseconds)ms"
    }
}

import Foundation

extension Duration {
    /// Seconds, for the clocks and timeouts that count in `Double`.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, the configuration's resolution.
    public var milliseconds: Int { DurationValue(self).milliseconds }

    /// As the configuration writes it: `500ms`, `30s`, `5m`, `1h`.
    public var configText: String { DurationValue(self).description }
}
