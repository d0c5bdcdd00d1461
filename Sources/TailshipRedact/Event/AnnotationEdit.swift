import TailshipJSON

/// The `kubectl.kubernetes.io/last-applied-configuration` annotation holds the applied
/// object as JSON inside a JSON string. It is decoded with a map from each decoded byte back
/// to the escape it came from, the Secret's values are found in the decoded JSON, and each
/// is replaced in the string as written: every other byte of the annotation stays.
enum AnnotationEdit {
    /// `s..<e`: the annotation's string value, quotes included.
    static func edits(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, tokens: TokenMaker) -> [ValueEdit] {
        var inner: [UInt8] = []
        var origin: [Int] = []
        inner.reserveCapacity(e - s)
        origin.reserveCapacity(e - s + 1)
        decode(p, s + 1, e - 1, into: &inner, origin: &origin)
        origin.append(e - 1)
        return inner.withUnsafeBufferPointer { buffer -> [ValueEdit] in
            guard let q = buffer.baseAddress else { return [] }
            let n = buffer.count
            let root = JSONScanner.skipSpace(q, 0, n)
            guard root < n, q[root] == 0x7B else { return [] }
            var walk = SecretWalk(p: q, tokens: tokens)
            walk.value(root, JSONScanner.skipValue(q, root, n))
            return walk.edits.map { edit in
                // The replacement is ASCII with quotes only at its ends: escaped, they become \".
                var escaped: [UInt8] = []
                for c in edit.replacement {
                    if c == 0x22 || c == 0x5C { escaped.append(0x5C) }
                    escaped.append(c)
                }
                return ValueEdit(start: origin[edit.start], end: origin[edit.end], replacement: escaped, isRedaction: true)
            }
        }
    }

    /// The string's characters, with `origin[k]` the offset in `p` of the byte or escape that gave `inner[k]`.
    private static func decode(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into inner: inout [UInt8], origin: inout [Int]) {
        var i = start
        while i < end {
            guard p[i] == 0x5C, i + 1 < end else {
                inner.append(p[i])
                origin.append(i)
                i += 1
                continue
            }
            // One escape: \uXXXX (with its low surrogate, if any) or a two-byte one.
            var length = 2
            if p[i + 1] == 0x75 {
                length = 6
                if let high = hex4(p, i + 2, end), (0xD800..<0xDC00).contains(high), i + 12 <= end, p[i + 6] == 0x5C, p[i + 7] == 0x75,
                   let low = hex4(p, i + 8, end), (0xDC00..<0xE000).contains(low) {
                    length = 12
                }
            }
            let piece = JSONString(start: i, end: min(i + length, end), escaped: true).decoded(in: p)
            for c in piece {
                inner.append(c)
                origin.append(i)
            }
            i += length
        }
    }

    private static func hex4(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> UInt32? {
        guard i + 4 <= end else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let d = Character(Unicode.Scalar(p[i + k])).hexDigitValue else { return nil }
            v = v << 4 | UInt32(d)
        }
        return v
    }
}
