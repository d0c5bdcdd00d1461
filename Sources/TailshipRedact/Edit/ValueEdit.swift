/// One value of a line replaced by a token; every byte outside the edits stays as written.
struct ValueEdit {
    var start: Int
    var end: Int
    var replacement: [UInt8]
    /// Redaction wins over pseudonymisation where both name one value.
    var isRedaction: Bool

    /// The edits in order, none inside another: an outer one (a whole `data` object named by
    /// a path) already hides what an inner one would.
    static func ordered(_ edits: [ValueEdit]) -> [ValueEdit] {
        let sorted = edits.sorted {
            if $0.start != $1.start { return $0.start < $1.start }
            if $0.isRedaction != $1.isRedaction { return $0.isRedaction }
            return $0.end > $1.end
        }
        var kept: [ValueEdit] = []
        kept.reserveCapacity(sorted.count)
        for e in sorted where kept.last.map({ e.start >= $0.end }) ?? true { kept.append(e) }
        return kept
    }

    /// `p[0..<n]` with `edits` (ordered) applied, into `out`.
    static func apply(_ edits: [ValueEdit], to p: UnsafePointer<UInt8>, _ n: Int, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(n + edits.count * 32)
        var at = 0
        for e in edits {
            out.append(contentsOf: UnsafeBufferPointer(start: p + at, count: e.start - at))
            out.append(contentsOf: e.replacement)
            at = e.end
        }
        out.append(contentsOf: UnsafeBufferPointer(start: p + at, count: n - at))
    }
}
