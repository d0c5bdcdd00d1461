/// SplitMix64: the benchmark log must be the same bytes for the same seed on every machine.
struct BenchRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A version-4 UUID as 36 ASCII bytes.
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
