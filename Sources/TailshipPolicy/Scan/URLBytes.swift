/// Percent-decoding of URL bytes as Go's net/url does it for paths and query values.
enum URLBytes {
    /// nil when a `%` is not followed by two hex digits (Go refuses such a URL).
    static func percentDecoded(_ s: some Collection<UInt8>, plusIsSpace: Bool) -> [UInt8]? {
        let b = Array(s)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x25 {
                guard i + 2 < b.count, let h = hex(b[i + 1]), let l = hex(b[i + 2]) else { return nil }
                out.append(h << 4 | l)
                i += 3
                continue
            }
            out.append(plusIsSpace && c == 0x2B ? 0x20 : c)
            i += 1
        }
        return out
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
