import CJSONScan
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
    public static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    @inline(__always)
    public static func skipSpace(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        var i = i
        while i < n && isSpace(p[i]) { i += 1 }
        return i
    }

    /// `i` at an opening quote: one past the closing quote, or -1.
    /// Jumps between quotes with memchr; only a string holding a backslash is walked byte by byte.
    @inline(__always)
    public static func skipString(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ escaped: inout Bool) -> Int {
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

    /// Bytes that matter inside a container: quote, backslash and brackets.
    static let special: [Bool] = (0..<256).map { [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D].contains($0) }

    /// Where a container walk stands: nesting, bracket kinds, inside a string or not.
    struct ContainerState {
        var depth = 0
        var kinds: UInt64 = 0 // 1 bits: objects, to depth 64
        var inString = false

        /// Returns false on a mismatched bracket.
        @inline(__always)
        mutating func open(_ c: UInt8) {
            if depth < 64 { kinds = kinds << 1 | (c == 0x7B ? 1 : 0) }
            depth += 1
        }

        @inline(__always)
        mutating func close(_ c: UInt8) -> Bool {
            if depth == 0 { return false }
            depth -= 1
            if depth < 64 {
                if (kinds & 1 == 1) != (c == 0x7D) { return false }
                kinds >>= 1
            }
            return true
        }
    }

    /// Skips a container 64 bytes at a time with bit masks (CJSONScan):
    /// characters escaped by an odd run of backslashes are found with carries
    /// (visited one by one: they are rare), brackets inside strings are masked out
    /// with a prefix XOR of the real quotes, and only the (few) structural
    /// brackets are visited one by one. The last partial block is walked bytewise.
    static func skipContainer(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        var st = ContainerState()
        var j = i
        var oddRunCarry: UInt64 = 0 // the previous block's last byte is an escaping backslash
        while j + 64 <= n {
            let m = cjsonscan_block(p + j)
            var q = m.quote
            let b = m.backslash, o = m.open, c = m.close
            if b != 0 || oddRunCarry != 0 {
                q &= ~escapedCharacters(b, &oddRunCarry)
            }
            var inside = prefixXor(q)
            if st.inString { inside = ~inside }
            st.inString = inside >> 63 == 1
            var structural = (o | c) & ~inside
            while structural != 0 {
                let k = structural.trailingZeroBitCount
                structural &= structural &- 1
                let ch = p[j + k]
                if (o >> UInt64(k)) & 1 == 1 {
                    st.open(ch)
                } else {
                    if !st.close(ch) { return -1 }
                    if st.depth == 0 { return j + k + 1 }
                }
            }
            j += 64
        }
        // A backslash ending the last block escapes the first byte of the rest.
        if oddRunCarry != 0 { j += 1 }
        let r = walk(p, &st, &j, n)
        return r == 0 ? -1 : r
    }

    /// Bits of the characters escaped by a backslash. Backslashes are rare
    /// (about 1 byte in 80 in real audit logs), so they are visited in order:
    /// each unescaped one escapes the next byte, which cannot start an escape
    /// itself. `carry` is 1 when the previous block's last byte escapes bit 0.
    @inline(__always)
    static func escapedCharacters(_ backslashes: UInt64, _ carry: inout UInt64) -> UInt64 {
        var escaped = carry
        var starters = backslashes & ~carry
        carry = 0
        while starters != 0 {
            let k = starters.trailingZeroBitCount
            if k == 63 {
                carry = 1
                break
            }
            escaped |= 1 << UInt64(k + 1)
            starters &= ~(3 << UInt64(k))
        }
        return escaped
    }

    /// Byte-by-byte walk from `j` to `limit`: the end offset when the
    /// container closes, -1 when malformed, 0 when it is still open.
    @inline(__always)
    static func walk(_ p: UnsafePointer<UInt8>, _ st: inout ContainerState, _ j: inout Int, _ limit: Int) -> Int {
        special.withUnsafeBufferPointer { special in
            while j < limit {
                let c = p[j]
                if !special[Int(c)] { j += 1; continue }
                if st.inString {
                    if c == 0x22 { st.inString = false } else if c == 0x5C { j += 1 }
                    j += 1
                    continue
                }
                switch c {
                case 0x22: st.inString = true
                case 0x7B, 0x5B: st.open(c)
                case 0x7D, 0x5D:
                    if !st.close(c) { return -1 }
                    if st.depth == 0 { return j + 1 }
                default: return -1 // a backslash outside a string
                }
                j += 1
            }
            return 0
        }
    }

    /// Bit i set when an odd number of bits at or below i are set: inside a string.
    @inline(__always)
    static func prefixXor(_ x: UInt64) -> UInt64 {
        var x = x
        x ^= x << 1
        x ^= x << 2
        x ^= x << 4
        x ^= x << 8
        x ^= x << 16
        x ^= x << 32
        return x
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
    public static func string(_ p: UnsafePointer<UInt8>, _ m: JSONMember) -> JSONString? {
        guard p[m.valueStart] == 0x22 else { return nil }
        var e = false
        _ = skipString(p, m.valueStart, m.valueEnd, &e)
        return JSONString(start: m.valueStart + 1, end: m.valueEnd - 1, escaped: e)
    }

    /// Whether a member's key is `name` (an ASCII literal).
    @inline(__always)
    public static func keyIs(_ key: JSONString, _ name: StaticString, _ p: UnsafePointer<UInt8>) -> Bool {
        if key.escaped {
            return key.decoded(in: p).elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
        return key.count == name.utf8CodeUnitCount && memcmp(p + key.start, name.utf8Start, key.count) == 0
    }
}
