import Foundation
import TailshipJSON
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// Turns a batch's NDJSON lines into request bodies of one format, each at
/// most `maxBodyBytes` (before compression). A line whose entry alone is too
/// big is reported so it can go to the dead-letter directory.
public struct FormatEncoder: Sendable {
    public let format: OutputFormat
    public let maxBodyBytes: Int
    public let nonItems: NonItemAction

    public init(format: OutputFormat, maxBodyBytes: Int = 10 << 20, nonItems: NonItemAction = .deadLetter) {
        self.format = format
        self.maxBodyBytes = maxBodyBytes
        self.nonItems = nonItems
    }

    /// One request body and the batch lines (indices) it carries.
    public struct Chunk: Sendable {
        public var body: [UInt8]
        public var lines: [Int]
    }

    public struct Encoded: Sendable {
        public var chunks: [Chunk]
        /// Lines too big for one body on their own.
        public var oversize: [Int]
        /// Lines that are not JSON objects, sent as JSON strings (or as they are, in ndjson and json-array);
        /// for clickhouse, lines that are not audit events.
        public var notObjects: Int
        /// Lines this format cannot carry and that go to the dead-letter directory
        /// (`NonItemAction.deadLetter`, clickhouse `on_invalid: dead-letter`).
        public var invalid: [Int] = []
        /// Lines left out (`NonItemAction.drop`, clickhouse `on_invalid: drop`).
        public var dropped = 0
    }

    /// The `\n`-terminated lines of `body`, as ranges.
    public static func lineRanges(_ body: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        body.withUnsafeBytes { raw in
            while start < raw.count, let nl = memchr(raw.baseAddress! + start, 0x0A, raw.count - start) {
                let end = UnsafeRawPointer(nl) - raw.baseAddress!
                ranges.append(start..<end)
                start = end + 1
            }
        }
        if start < body.count { ranges.append(start..<body.count) }
        return ranges
    }

    public func encode(_ body: [UInt8], only selected: [Int]? = nil) -> Encoded {
        let ranges = Self.lineRanges(body)
        let indices = selected ?? Array(ranges.indices)
        var result = Encoded(chunks: [], oversize: [], notObjects: 0)
        // The common case needs no copy: NDJSON that fits is the batch body itself.
        if format == .ndjson && selected == nil && body.count <= maxBodyBytes {
            result.notObjects = ranges.reduce(0) { n, r in
                n + (body.withUnsafeBufferPointer { EventFields.looksLikeObject($0.baseAddress! + r.lowerBound, r.count) } ? 0 : 1)
            }
            result.chunks = [Chunk(body: body, lines: indices)]
            return result
        }
        var entries: [(line: Int, bytes: [UInt8], stream: String)] = []
        body.withUnsafeBufferPointer { b in
            for i in indices {
                let r = ranges[i]
                let p = b.baseAddress! + r.lowerBound
                if case .clickhouse(let options) = format {
                    let line = UnsafeRawBufferPointer(start: p, count: r.count)
                    if let bytes = clickHouseEntry(line, options, index: i, into: &result) { entries.append((i, bytes, "")) }
                    continue
                }
                let event = EventLine(p, r.count)
                let carried = carries(event, p, r.count)
                if !carried || !event.isObject { result.notObjects += 1 }
                if !carried {
                    switch nonItems == .pass && format == .auditEventList ? .deadLetter : nonItems {
                    case .deadLetter: result.invalid.append(i); continue
                    case .drop: result.dropped += 1; continue
                    case .pass: break
                    }
                }
                entries.append(entry(UnsafeRawBufferPointer(start: p, count: r.count), event, line: i, object: carried && event.isObject))
            }
        }
        let fixed = wrapperOverhead
        var current: [(line: Int, bytes: [UInt8], stream: String)] = []
        var size = fixed
        func close() {
            guard !current.isEmpty else { return }
            result.chunks.append(Chunk(body: build(current.map { ($0.bytes, $0.stream) }), lines: current.map(\.line)))
            current = []
            size = fixed
        }
        for e in entries {
            let cost = e.bytes.count + perEntryOverhead(e.stream)
            if fixed + cost > maxBodyBytes {
                result.oversize.append(e.line)
                continue
            }
            if size + cost > maxBodyBytes { close() }
            current.append(e)
            size += cost
        }
        close()
        return result
    }

    /// Whether this format can carry the line as an item, as it is or wrapped, in a valid body.
    /// Checked strictly: the scanner alone accepts some malformed objects.
    private func carries(_ event: EventLine, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        switch format {
        case .jsonArray, .elasticsearchBulk, .splunkHEC: event.isObject && JSONValidator.isObject(p, n)
        case .auditEventList: event.isObject && event.auditID != nil && JSONValidator.isObject(p, n)
        case .ndjson, .loki, .clickhouse: true
        }
    }

    static let eventListPrefix = Array(#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":["#.utf8)

    private var wrapperOverhead: Int {
        switch format {
        case .ndjson, .elasticsearchBulk, .splunkHEC, .clickhouse: 0
        case .jsonArray: 2
        case .auditEventList: Self.eventListPrefix.count + 2
        case .loki: 14
        }
    }

    /// Separator, plus for Loki the stream header an entry may need.
    private func perEntryOverhead(_ stream: String) -> Int {
        switch format {
        case .jsonArray, .auditEventList: 1
        case .loki: 1 + 30 + stream.utf8.count
        default: 0
        }
    }

    /// The body for these entries.
    private func build(_ entries: [(bytes: [UInt8], stream: String)]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.reduce(64) { $0 + $1.bytes.count + 1 })
        switch format {
        case .ndjson, .elasticsearchBulk, .splunkHEC, .clickhouse:
            for e in entries { out.append(contentsOf: e.bytes) }
        case .jsonArray, .auditEventList:
            out.append(contentsOf: format == .jsonArray ? [0x5B] : Self.eventListPrefix)
            for (i, e) in entries.enumerated() {
                if i > 0 { out.append(0x2C) }
                out.append(contentsOf: e.bytes)
            }
            out.append(contentsOf: format == .jsonArray ? [0x5D] : [0x5D, 0x7D])
        case .loki:
            // One stream per label set, in order of first appearance; values keep line order.
            var order: [String] = []
            var values: [String: [[UInt8]]] = [:]
            for e in entries {
                if values[e.stream] == nil { order.append(e.stream) }
                values[e.stream, default: []].append(e.bytes)
            }
            out.append(contentsOf: #"{"streams":["#.utf8)
            for (i, stream) in order.enumerated() {
                if i > 0 { out.append(0x2C) }
                out.append(contentsOf: #"{"stream":"#.utf8)
                out.append(contentsOf: stream.utf8)
                out.append(contentsOf: #","values":["#.utf8)
                for (j, v) in values[stream]!.enumerated() {
                    if j > 0 { out.append(0x2C) }
                    out.append(contentsOf: v)
                }
                out.append(contentsOf: "]}".utf8)
            }
            out.append(contentsOf: "]}".utf8)
        }
        return out
    }

    /// `k8s-audit-%Y.%m.%d` with the event's UTC date (now when it has no `stageTimestamp`).
    static func indexName(_ pattern: String, nanos: Int64?) -> String {
        let c = CivilTime(epochSeconds: (nanos ?? UTCTime.nowNanoseconds()) / 1_000_000_000)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return pattern.replacingOccurrences(of: "%Y", with: String(c.year))
            .replacingOccurrences(of: "%m", with: two(c.month))
            .replacingOccurrences(of: "%d", with: two(c.day))
            .replacingOccurrences(of: "%H", with: two(c.hour))
    }
}
