/// A JSON string inside a line: the byte range between its quotes, still
/// escaped as written. Compared without copying unless it holds an escape.
public struct JSONString: Sendable, Equatable {
    /// First byte after the opening quote.
    public var start: Int
    /// The closing quote.
    public var end: Int
    public var escaped: Bool

    public init(start: Int, end: Int, escaped: Bool) {
        self.start = start
        self.end = end
        self.escaped = escaped
    }

    public var count: Int { end - start }

    /// Whether the decoded value equals `pattern` (UTF-8 bytes).
    @inline(__always)
    public func equals(_ pattern: [UInt8], in p: UnsafePointer<UInt8>) -> Bool {
        if !escaped {
            guard pattern.count == count else { return false }
            if count == 0 { return true }
            return pattern.withUnsafeBufferPointer { memcmp($0.baseAddress!, p + start, count) == 0 }
        }
        return decoded(in: p) == pattern
    }

    /// Whether the decoded value starts with `prefix`.
    public func hasPrefix(_ prefix: [UInt8], in p: UnsafePointer<UInt8>) -> Bool {
        if !escaped {
            guard prefix.count <= count else { return false }
            return prefix.isEmpty || prefix.withUnsafeBufferPointer { memcmp($0.baseAddress!, p + start, prefix.count) == 0 }
        }
        return decoded(in: p).starts(with: prefix)
    }

    /// The value with escapes resolved (`\uXXXX` and surrogate pairs to UTF-8).
    public func decoded(in p: UnsafePointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var i = start
        while i < end {
            let c = p[i]
            guard c == 0x5C, i + 1 < end else { out.append(c); i += 1; continue }
            let e = p[i + 1]
            i += 2
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard var scalar = hex4(p, i, end) else { out.append(0x75); continue }
                i += 4
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= end, p[i] == 0x5C, p[i + 1] == 0x75,
                   let low = hex4(p, i + 2, end), (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default: out.append(e)
            }
        }
        return out
    }

    public func string(in p: UnsafePointer<UInt8>) -> String {
        if escaped { return String(decoding: decoded(in: p), as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(start: p + start, count: count), as: UTF8.self)
    }

    private func hex4(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> UInt32? {
        guard i + 4 <= end else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = p[i + k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
