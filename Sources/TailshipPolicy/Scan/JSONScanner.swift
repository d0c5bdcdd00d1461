#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level JSON navigation over one line: finds members and skips values
/// without decoding them. Checks structure (quotes, brackets, separators at
/// the levels it walks) but not every number and escape: it exists to find
/// fields fast, not to validate documents. Iterative, so deep nesting cannot
/// overflow the stack. Offsets are into `p[0..<n]`; -1 means malformed.
public enum JSONScanner {
    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    @inline(__always)
    static func skipSpace(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        var i = i
        while i < n && isSpace(p[i]) { i += 1 }
        return i
    }

    /// `i` at an opening quote: one past the closing quote, or -1.
    /// Jumps between quotes with memchr; only a string holding a backslash is walked byte by byte.
    @inline(__always)
    static func skipString(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ escaped: inout Bool) -> Int {
        var j = i + 1
        while j < n {
            guard let q = memchr(p + j, 0x22, n - j) else { return -1 }
            let qi = UnsafeRawPointer(q) - UnsafeRawPointer(p)
            guard qi > j, let b = memchr(p + j, 0x5C, qi - j) else { return qi + 1 }
            escaped = true
            var k = UnsafeRawPointer(b) - UnsafeRawPointer(p)
            while k < qi { k += p[k] == 0x5C ? 2 : 1 }
            if k == qi { return qi + 1 }
            j = qi + 1 // that quote was escaped
        }
        return -1
    }

    /// `i` at the first byte of a value: one past its end, or -1.
    public static func skipValue(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        guard i < n else { return -1 }
        switch p[i] {
        case 0x22:
            var e = false
            return skipString(p, i, n, &e)
        case 0x7B, 0x5B:
            return skipContainer(p, i, n)
        default:
            return skipScalar(p, i, n)
        }
    }

    /// A number, true, false or null.
    static func skipScalar(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        var j = i
        while j < n {
            let c = p[j]
            if c == 0x2C || c == 0x7D || c == 0x5D || isSpace(c) { break }
            j += 1
        }
        let len = j - i
        guard len > 0 else { return -1 }
        switch p[i] {
        case 0x74: return len == 4 && memcmp(p + i, "true", 4) == 0 ? j : -1
        case 0x66: return len == 5 && memcmp(p + i, "false", 5) == 0 ? j : -1
        case 0x6E: return len == 4 && memcmp(p + i, "null", 4) == 0 ? j : -1
        case 0x2D, 0x30...0x39:
            for k in i..<j {
                switch p[k] {
                case 0x30...0x39, 0x2B, 0x2D, 0x2E, 0x45, 0x65: continue
                default: return -1
                }
            }
            return j
        default: return -1
        }
    }

    /// Matches brackets (types checked to depth 64, counted beyond) and skips strings.
    static func skipContainer(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        var depth = 0
        var kinds: UInt64 = 0 // 1 bits: objects
        var j = i
        while j < n {
            switch p[j] {
            case 0x22:
                var e = false
                j = skipString(p, j, n, &e)
                if j < 0 { return -1 }
                continue
            case 0x7B, 0x5B:
                if depth < 64 { kinds = kinds << 1 | (p[j] == 0x7B ? 1 : 0) }
                depth += 1
            case 0x7D, 0x5D:
                if depth == 0 { return -1 }
                depth -= 1
                if depth < 64 {
                    if (kinds & 1 == 1) != (p[j] == 0x7D) { return -1 }
                    kinds >>= 1
                }
                if depth == 0 { return j + 1 }
            default:
                break
            }
            j += 1
        }
        return -1
    }

    /// `i` at `{`: calls `body` for each member in order; returns one past `}`, or -1.
    @inline(__always)
    public static func forEachMember(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ body: (JSONMember) -> Void) -> Int {
        guard i < n, p[i] == 0x7B else { return -1 }
        var j = skipSpace(p, i + 1, n)
        if j < n && p[j] == 0x7D { return j + 1 }
        while j < n {
            guard p[j] == 0x22 else { return -1 }
            var escaped = false
            let keyEnd = skipString(p, j, n, &escaped)
            if keyEnd < 0 { return -1 }
            var v = skipSpace(p, keyEnd, n)
            guard v < n, p[v] == 0x3A else { return -1 }
            v = skipSpace(p, v + 1, n)
            let end = skipValue(p, v, n)
            if end < 0 { return -1 }
            body(JSONMember(keyStart: j, key: JSONString(start: j + 1, end: keyEnd - 1, escaped: escaped), valueStart: v, valueEnd: end))
            j = skipSpace(p, end, n)
            guard j < n else { return -1 }
            if p[j] == 0x7D { return j + 1 }
            guard p[j] == 0x2C else { return -1 }
            j = skipSpace(p, j + 1, n)
        }
        return -1
    }

    /// `i` at `[`: calls `body(start, end)` for each element; returns one past `]`, or -1.
    @inline(__always)
    public static func forEachElement(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ body: (Int, Int) -> Void) -> Int {
        guard i < n, p[i] == 0x5B else { return -1 }
        var j = skipSpace(p, i + 1, n)
        if j < n && p[j] == 0x5D { return j + 1 }
        while j < n {
            let end = skipValue(p, j, n)
            if end < 0 { return -1 }
            body(j, end)
            j = skipSpace(p, end, n)
            guard j < n else { return -1 }
            if p[j] == 0x5D { return j + 1 }
            guard p[j] == 0x2C else { return -1 }
            j = skipSpace(p, j + 1, n)
        }
        return -1
    }

    /// The string value at `i`, if it is one.
    @inline(__always)
    static func string(_ p: UnsafePointer<UInt8>, _ m: JSONMember) -> JSONString? {
        guard p[m.valueStart] == 0x22 else { return nil }
        var e = false
        _ = skipString(p, m.valueStart, m.valueEnd, &e)
        return JSONString(start: m.valueStart + 1, end: m.valueEnd - 1, escaped: e)
    }

    /// Whether a member's key is `name` (an ASCII literal).
    @inline(__always)
    static func keyIs(_ key: JSONString, _ name: StaticString, _ p: UnsafePointer<UInt8>) -> Bool {
        if key.escaped {
            return key.decoded(in: p).elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
        return key.count == name.utf8CodeUnitCount && memcmp(p + key.start, name.utf8Start, key.count) == 0
    }
}
