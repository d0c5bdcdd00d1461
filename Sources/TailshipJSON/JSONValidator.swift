/// Strict RFC 8259 checking, for output formats that embed a line in a JSON body: the byte
/// scanner finds fields fast but accepts some malformed text (`{"a":tru}`), which would make
/// the receiver refuse the whole body. Iterative (no recursion limit) and UTF-8 checked.
public enum JSONValidator {
    /// Whether `p[0..<n]` is exactly one JSON object, with optional surrounding white space.
    public static func isObject(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = JSONScanner.skipSpace(p, 0, n)
        guard i < n, p[i] == 0x7B else { return false }
        guard let end = value(p, &i, n) else { return false }
        return JSONScanner.skipSpace(p, end, n) == n
    }

    private enum Container { case object, array }

    /// Parses one value at `i`; returns the index after it, or nil.
    private static func value(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int) -> Int? {
        var stack: [Container] = []
        // After a value: close containers or take a separator; expecting a value otherwise.
        while true {
            i = JSONScanner.skipSpace(p, i, n)
            guard i < n else { return nil }
            switch p[i] {
            case 0x7B:
                i = JSONScanner.skipSpace(p, i + 1, n)
                if i < n && p[i] == 0x7D { i += 1 } else {
                    guard key(p, &i, n) else { return nil }
                    stack.append(.object)
                    continue
                }
            case 0x5B:
                i = JSONScanner.skipSpace(p, i + 1, n)
                if i < n && p[i] == 0x5D { i += 1 } else {
                    stack.append(.array)
                    continue
                }
            case 0x22: guard string(p, &i, n) else { return nil }
            case 0x74: guard literal(p, &i, n, "true") else { return nil }
            case 0x66: guard literal(p, &i, n, "false") else { return nil }
            case 0x6E: guard literal(p, &i, n, "null") else { return nil }
            default: guard number(p, &i, n) else { return nil }
            }
            // A value ended: close what ends here, or go on to the next member or element.
            while true {
                guard let top = stack.last else { return i }
                i = JSONScanner.skipSpace(p, i, n)
                guard i < n else { return nil }
                if p[i] == 0x2C {
                    i += 1
                    if top == .object {
                        i = JSONScanner.skipSpace(p, i, n)
                        guard key(p, &i, n) else { return nil }
                    }
                    break
                }
                guard p[i] == (top == .object ? 0x7D : 0x5D) else { return nil }
                i += 1
                stack.removeLast()
            }
        }
    }

    /// `"key"` then `:`.
    private static func key(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int) -> Bool {
        guard i < n, p[i] == 0x22, string(p, &i, n) else { return false }
        i = JSONScanner.skipSpace(p, i, n)
        guard i < n, p[i] == 0x3A else { return false }
        i += 1
        return true
    }

    private static func string(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int) -> Bool {
        var j = i + 1
        while j < n {
            let c = p[j]
            if c == 0x22 { i = j + 1; return true }
            if c < 0x20 { return false }
            if c == 0x5C {
                guard j + 1 < n else { return false }
                switch p[j + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: j += 2
                case 0x75:
                    guard j + 5 < n, (2...5).allSatisfy({ isHex(p[j + $0]) }) else { return false }
                    j += 6
                default: return false
                }
                continue
            }
            if c < 0x80 { j += 1; continue }
            guard let width = utf8Width(p, j, n) else { return false }
            j += width
        }
        return false
    }

    /// The length of a well-formed UTF-8 sequence at `j`, or nil.
    private static func utf8Width(_ p: UnsafePointer<UInt8>, _ j: Int, _ n: Int) -> Int? {
        let c = p[j]
        let (width, low, high): (Int, UInt8, UInt8) = switch c {
        case 0xC2...0xDF: (2, 0x80, 0xBF)
        case 0xE0: (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80, 0xBF)
        case 0xED: (3, 0x80, 0x9F)
        case 0xF0: (4, 0x90, 0xBF)
        case 0xF1...0xF3: (4, 0x80, 0xBF)
        case 0xF4: (4, 0x80, 0x8F)
        default: (0, 0, 0)
        }
        guard width > 0, j + width <= n, (low...high).contains(p[j + 1]) else { return nil }
        for k in 2..<max(2, width) where !(0x80...0xBF).contains(p[j + k]) { return nil }
        return width
    }

    private static func literal(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= n, (0..<count).allSatisfy({ p[i + $0] == word.utf8Start[$0] }) else { return false }
        i += count
        return true
    }

    private static func number(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int) -> Bool {
        var j = i
        if j < n && p[j] == 0x2D { j += 1 }
        guard j < n, isDigit(p[j]) else { return false }
        if p[j] == 0x30 { j += 1 } else { while j < n && isDigit(p[j]) { j += 1 } }
        if j < n && p[j] == 0x2E {
            j += 1
            guard j < n, isDigit(p[j]) else { return false }
            while j < n && isDigit(p[j]) { j += 1 }
        }
        if j < n && (p[j] == 0x65 || p[j] == 0x45) {
            j += 1
            if j < n && (p[j] == 0x2B || p[j] == 0x2D) { j += 1 }
            guard j < n, isDigit(p[j]) else { return false }
            while j < n && isDigit(p[j]) { j += 1 }
        }
        i = j
        return true
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) }
}
