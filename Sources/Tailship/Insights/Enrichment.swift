import TailshipShip

/// `add_fields` / `add_source`: one top-level `"tailship"` object appended to
/// each JSON event object; every other byte stays as it was.
public struct Enrichment: Sendable, Equatable {
    /// Key → value, in key order (`${ENV}` already expanded).
    public var fields: [(String, String)]
    public var addSource: Bool

    public static func == (a: Enrichment, b: Enrichment) -> Bool {
        a.addSource == b.addSource && a.fields.elementsEqual(b.fields) { $0 == $1 }
    }

    static func resolve(fields: [String: String]?, addSource: Bool?, environment: [String: String]) throws -> Enrichment? {
        let source = addSource ?? false
        guard !(fields ?? [:]).isEmpty || source else { return nil }
        var resolved: [(String, String)] = []
        for (key, value) in (fields ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard !key.isEmpty else { throw ConfigError("add_fields", "keys must not be empty") }
            if source && (key == "file" || key == "offset") {
                throw ConfigError("add_fields.\(key)", "is where add_source puts the source; choose another key")
            }
            resolved.append((key, try ResolvedConfig.expand(value, field: "add_fields.\(key)", environment: environment)))
        }
        return Enrichment(fields: resolved, addSource: source)
    }
}

/// Builds enriched lines on the reader thread, reusing its buffer.
final class Enricher {
    let enrichment: Enrichment
    /// `"tailship":{"k":"v",…` without the closing brace (and without source fields).
    private let head: [UInt8]
    private(set) var output: [UInt8] = []

    init(_ enrichment: Enrichment) {
        self.enrichment = enrichment
        var head = Array(#""tailship":{"#.utf8)
        for (i, (key, value)) in enrichment.fields.enumerated() {
            if i > 0 { head.append(0x2C) }
            JSONText.appendString(key, to: &head)
            head.append(0x3A)
            JSONText.appendString(value, to: &head)
        }
        self.head = head
    }

    /// Writes `line` (a JSON object with `memberCount` members) with the object
    /// added into `output`; false when the line cannot take it (not an object).
    func enrich(_ line: UnsafeRawBufferPointer, memberCount: Int, file: String, offset: UInt64) -> Bool {
        guard let base = line.baseAddress else { return false }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var close = line.count - 1
        while close >= 0, p[close] == 0x20 || p[close] == 0x09 || p[close] == 0x0D { close -= 1 }
        guard close > 0, p[close] == 0x7D else { return false }
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[0..<close]))
        if memberCount > 0 { output.append(0x2C) }
        output.append(contentsOf: head)
        if enrichment.addSource {
            if !enrichment.fields.isEmpty { output.append(0x2C) }
            JSONText.append(#""file":"#, to: &output)
            JSONText.appendString(file, to: &output)
            JSONText.append(#","offset":\#(offset)"#, to: &output)
        }
        output.append(contentsOf: [0x7D, 0x7D])
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[(close + 1)...]))
        return true
    }
}
