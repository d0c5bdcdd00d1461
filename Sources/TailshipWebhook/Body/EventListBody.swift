import TailshipJSON

/// An `audit.k8s.io/v1` `EventList`, as the apiserver's webhook backend POSTs it, turned
/// into the lines its log backend would have written: one compact JSON event per line.
/// Everything is checked before anything is returned, so a refused body appends nothing.
public enum EventListBody {
    public struct Lines: Sendable, Equatable {
        /// Every event followed by "\n".
        public var bytes: [UInt8]
        public var events: Int
    }

    static let apiVersion = "audit.k8s.io/v1"

    /// The events of `body` (already decompressed) as lines, or why it is refused.
    public static func lines(_ body: [UInt8]) -> Result<Lines, WebhookRefusal> {
        body.withUnsafeBufferPointer { buffer in
            guard let p = buffer.baseAddress, !buffer.isEmpty else { return .failure(.invalid("empty body: an EventList is expected")) }
            guard JSONValidator.isObject(p, buffer.count) else {
                return .failure(.invalid("body is not one JSON object (not JSON, or cut short)"))
            }
            return decode(p, buffer.count)
        }
    }

    private static func decode(_ p: UnsafePointer<UInt8>, _ n: Int) -> Result<Lines, WebhookRefusal> {
        var kind: String?, version: String?, items: JSONMember?
        _ = JSONScanner.forEachMember(p, JSONScanner.skipSpace(p, 0, n), n) { m in
            if JSONScanner.keyIs(m.key, "kind", p) { kind = JSONScanner.string(p, m)?.string(in: p) }
            if JSONScanner.keyIs(m.key, "apiVersion", p) { version = JSONScanner.string(p, m)?.string(in: p) }
            if JSONScanner.keyIs(m.key, "items", p) { items = m }
        }
        guard kind == "EventList" else { return .failure(.invalid("kind is \(quoted(kind)), not \"EventList\"")) }
        guard version == apiVersion else { return .failure(.invalid("apiVersion is \(quoted(version)), not \"\(apiVersion)\"")) }
        guard let items else { return .success(Lines(bytes: [], events: 0)) }
        guard p[items.valueStart] == 0x5B || isNull(p, items) else { return .failure(.invalid("items is not a list")) }
        var out = Lines(bytes: [], events: 0)
        out.bytes.reserveCapacity(items.valueEnd - items.valueStart + 64)
        var refusal: WebhookRefusal?
        _ = JSONScanner.forEachElement(p, items.valueStart, items.valueEnd) { start, end in
            guard refusal == nil else { return }
            if let problem = EventLine.append(p, start, end, to: &out.bytes) {
                refusal = .invalid("items[\(out.events)]: \(problem)")
            }
            out.events += 1
        }
        if let refusal { return .failure(refusal) }
        return .success(out)
    }

    private static func isNull(_ p: UnsafePointer<UInt8>, _ m: JSONMember) -> Bool {
        m.valueEnd - m.valueStart == 4 && p[m.valueStart] == 0x6E
    }

    private static func quoted(_ s: String?) -> String { s.map { "\"\($0.prefix(64))\"" } ?? "missing" }
}
