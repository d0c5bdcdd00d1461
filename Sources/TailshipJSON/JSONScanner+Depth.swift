import CJSONScan

extension JSONScanner {
    /// The nesting depth at `target` of a text that starts at `start` outside any string and
    /// container, or nil when `target` is inside a string or a bracket closes more than opened.
    /// 64 bytes at a time, as `skipContainer`: a member found by a byte search (`"objectRef":{`)
    /// is a member of the top-level object when this says 1 at its opening quote.
    public static func depth(_ p: UnsafePointer<UInt8>, from start: Int, to target: Int) -> Int? {
        var depth = 0
        var inString = false
        var j = start
        var oddRunCarry: UInt64 = 0
        // The last, partial block is copied into a padded one and its bits past `target` dropped.
        var tail = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while j < target {
            let count = min(64, target - j)
            let m = count == 64 ? cjsonscan_block(p + j) : withUnsafeMutableBytes(of: &tail) { padded in
                padded.copyMemory(from: UnsafeRawBufferPointer(start: p + j, count: count))
                return cjsonscan_block(padded.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            let valid: UInt64 = count == 64 ? ~0 : (1 << UInt64(count)) - 1
            var q = m.quote & valid
            let b = m.backslash & valid
            if b != 0 || oddRunCarry != 0 { q &= ~escapedCharacters(b, &oddRunCarry) }
            var inside = prefixXor(q)
            if inString { inside = ~inside }
            inString = (inside >> UInt64(count - 1)) & 1 == 1
            depth += (m.open & valid & ~inside).nonzeroBitCount - (m.close & valid & ~inside).nonzeroBitCount
            if depth < 0 { return nil }
            j += count
        }
        // A backslash just before `target` escapes it: inside a string.
        return inString || oddRunCarry != 0 ? nil : depth
    }
}
