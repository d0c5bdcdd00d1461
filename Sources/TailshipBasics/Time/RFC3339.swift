/// RFC 3339 timestamps (`2026-11-26T21:53:32.123456Z`, `…+02:00`) to Unix seconds.
public enum RFC3339 {
    public static func parse(_ text: String) -> Double? {
        var s = text
        return s.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    public static func parse(_ b: UnsafeRawBufferPointer) -> Double? {
        parts(b).map { Double($0.seconds) + Double($0.nanos) / 1e9 }
    }

    /// Nanoseconds since the epoch, exactly (a Double would round them).
    public static func nanoseconds(_ b: UnsafeRawBufferPointer) -> Int64? {
        parts(b).map { $0.seconds * 1_000_000_000 + $0.nanos }
    }

    /// Whole seconds since the epoch and the fraction in nanoseconds.
    static func parts(_ b: UnsafeRawBufferPointer) -> (seconds: Int64, nanos: Int64)? {
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for k in from..<(from + count) {
                let c = b[k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard b.count >= 20, let y = digits(0, 4), b[4] == 0x2D, let mo = digits(5, 2), b[7] == 0x2D, let d = digits(8, 2),
              b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20, let h = digits(11, 2), b[13] == 0x3A, let mi = digits(14, 2),
              b[16] == 0x3A, let sec = digits(17, 2) else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count && b[i] == 0x2E {
            i += 1
            var scale: Int64 = 100_000_000
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                nanos += Int64(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == 0x5A || b[i] == 0x7A {
            i += 1
        } else if b[i] == 0x2B || b[i] == 0x2D, let oh = digits(i + 1, 2), b.count > i + 3, b[i + 3] == 0x3A, let om = digits(i + 4, 2) {
            offset = (oh * 3600 + om * 60) * (b[i] == 0x2B ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count, let seconds = UTCTime.seconds(year: y, month: mo, day: d, hour: h, minute: mi, second: sec) else { return nil }
        return (Int64(seconds) - Int64(offset), nanos)
    }
}
