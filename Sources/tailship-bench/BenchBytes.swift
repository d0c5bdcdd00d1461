import TailshipTestSupport

/// Byte helpers the benchmark tools share.
enum BenchBytes {
    /// Where `needle` first occurs in `haystack`.
    static func range(of needle: [UInt8], in haystack: UnsafeRawBufferPointer) -> Range<Int>? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && needle.indices.allSatisfy({ haystack[i + $0] == needle[$0] }) { return i..<(i + needle.count) }
            i += 1
        }
        return nil
    }

    static func range(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        haystack.withUnsafeBytes { range(of: needle, in: $0) }
    }
}

extension SplitMix64 {
    /// A version-4 UUID as 36 ASCII bytes (the benchmark log must be the same bytes for a seed everywhere).
    mutating func uuid() -> [UInt8] {
        let hex = Array("0123456789abcdef".utf8)
        let a = next(), b = next()
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for i in 0..<32 {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(0x2D) }
            var nibble = Int(((i < 16 ? a : b) >> UInt64((i % 16) * 4)) & 0xF)
            if i == 12 { nibble = 4 }
            if i == 16 { nibble = 8 | (nibble & 3) }
            out.append(hex[nibble])
        }
        return out
    }
}
