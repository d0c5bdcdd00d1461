import TailshipJSON

/// One event of an EventList written as the log backend writes it: compact, on one
/// line, starting with its `kind` and `apiVersion` (list items usually carry neither).
enum EventLine {
    private static let kindMember = Array(#""kind":"Event""#.utf8)
    private static let versionMember = Array(#""apiVersion":"audit.k8s.io/v1""#.utf8)

    /// Appends the event at `p[start..<end]` and a newline; returns the problem instead if it is not one.
    static func append(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, to out: inout [UInt8]) -> String? {
        guard p[start] == 0x7B else { return "not an object" }
        var hasKind = false, hasVersion = false, auditID = false, stage = false, problem: String?
        _ = JSONScanner.forEachMember(p, start, end) { m in
            if JSONScanner.keyIs(m.key, "kind", p) {
                hasKind = true
                if JSONScanner.string(p, m)?.string(in: p) != "Event" { problem = "kind is not \"Event\"" }
            } else if JSONScanner.keyIs(m.key, "apiVersion", p) {
                hasVersion = true
                if JSONScanner.string(p, m)?.string(in: p) != EventListBody.apiVersion { problem = "apiVersion is not \"\(EventListBody.apiVersion)\"" }
            } else if JSONScanner.keyIs(m.key, "auditID", p) {
                auditID = (JSONScanner.string(p, m)?.count ?? 0) > 0
            } else if JSONScanner.keyIs(m.key, "stage", p) {
                stage = (JSONScanner.string(p, m)?.count ?? 0) > 0
            }
        }
        if let problem { return problem }
        guard auditID else { return "no auditID" }
        guard stage else { return "no stage" }
        out.append(0x7B)
        var prefix: [UInt8] = []
        if !hasKind { prefix += kindMember }
        if !hasVersion { prefix += (prefix.isEmpty ? [] : [0x2C]) + versionMember }
        let body = JSONScanner.skipSpace(p, start + 1, end)
        if !prefix.isEmpty {
            out += prefix
            if p[body] != 0x7D { out.append(0x2C) }
        }
        // The apiserver's items are compact already: copied whole unless a line break would split them.
        let rest = UnsafeBufferPointer(start: p + start + 1, count: end - start - 1)
        if rest.contains(0x0A) || rest.contains(0x0D) {
            appendCompact(p, start + 1, end, to: &out)
        } else {
            out.append(contentsOf: rest)
        }
        out.append(0x0A)
        return nil
    }

    /// Copies JSON text without the white space between tokens (strings are kept as they are).
    private static func appendCompact(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, to out: inout [UInt8]) {
        var i = start
        while i < end {
            let c = p[i]
            if c == 0x22 {
                var escaped = false
                let after = JSONScanner.skipString(p, i, end, &escaped)
                out.append(contentsOf: UnsafeBufferPointer(start: p + i, count: after - i))
                i = after
            } else {
                if !JSONScanner.isSpace(c) { out.append(c) }
                i += 1
            }
        }
    }
}
