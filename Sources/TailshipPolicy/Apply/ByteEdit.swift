import TailshipJSON
/// A change to a byte range of a line: removed, or replaced by a level name.
struct ByteEdit {
    var start: Int
    var end: Int
    /// nil: delete the range.
    var level: AuditLevel?

    /// The edits that remove the members at `removed` (ascending indices into
    /// `members`) from one object while keeping it valid JSON and every other
    /// byte as written: a member's range runs from the end of the previous
    /// value (taking its comma), or, for leading members, up to the next key.
    static func removing(_ removed: [Int], from members: [JSONMember], into edits: inout [ByteEdit]) {
        guard !removed.isEmpty else { return }
        var k = 0
        if removed[0] == 0 {
            var last = 0
            while k + 1 < removed.count && removed[k + 1] == last + 1 { k += 1; last += 1 }
            let end = last + 1 < members.count ? members[last + 1].keyStart : members[last].valueEnd
            edits.append(ByteEdit(start: members[0].keyStart, end: end))
            k += 1
        }
        while k < removed.count {
            let r = removed[k]
            edits.append(ByteEdit(start: members[r - 1].valueEnd, end: members[r].valueEnd))
            k += 1
        }
    }

    /// Writes `p[0..<n]` with `edits` (sorted, disjoint) applied into `out`.
    static func apply(_ edits: [ByteEdit], to p: UnsafePointer<UInt8>, _ n: Int, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(n)
        var at = 0
        for e in edits {
            out.append(contentsOf: UnsafeBufferPointer(start: p + at, count: e.start - at))
            if let level = e.level {
                out.append(0x22)
                out.append(contentsOf: level.name.utf8)
                out.append(0x22)
            }
            at = e.end
        }
        out.append(contentsOf: UnsafeBufferPointer(start: p + at, count: n - at))
    }
}
