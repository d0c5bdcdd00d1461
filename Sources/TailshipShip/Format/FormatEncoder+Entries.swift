import TailshipBasics
import TailshipJSON

/// The piece of body each format makes of one line.
extension FormatEncoder {
    /// The piece of body one line becomes, and (Loki) its stream's labels as JSON.
    /// `object`: the line is a valid JSON object, embedded as it is; otherwise it is embedded as a string.
    func entry(_ line: UnsafeRawBufferPointer, _ e: EventLine, line index: Int, object: Bool) -> (line: Int, bytes: [UInt8], stream: String) {
        let p = line.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var out: [UInt8] = []
        out.reserveCapacity(line.count + 128)
        switch format {
        case .ndjson, .clickhouse:
            out.append(contentsOf: line)
            out.append(0x0A)
        case .jsonArray, .auditEventList:
            Self.appendEvent(line, object: object, wrappedIn: nil, to: &out)
        case .elasticsearchBulk(let pattern):
            Self.appendBulkAction(pattern, e, p, to: &out)
            Self.appendEvent(line, object: object, wrappedIn: "message", to: &out)
            out.append(0x0A)
        case .splunkHEC(let o):
            Self.appendHECHead(o, e, p, to: &out)
            Self.appendEvent(line, object: object, wrappedIn: nil, to: &out)
            out.append(contentsOf: "}\n".utf8)
        case .loki(let labels):
            let ns = e.stageNanoseconds(p) ?? UTCTime.nowNanoseconds()
            out.append(contentsOf: "[\"\(ns)\",".utf8)
            JSONText.appendString(line, to: &out)
            out.append(0x5D)
            return (index, out, Self.lokiStream(labels, e, p))
        }
        return (index, out, "")
    }

    /// An event where the format needs an object; a line that is not one as a JSON string
    /// (inside `{"wrapKey": …}` if given).
    static func appendEvent(_ line: UnsafeRawBufferPointer, object: Bool, wrappedIn wrapKey: String?, to out: inout [UInt8]) {
        if object {
            out.append(contentsOf: line)
        } else if let wrapKey {
            out.append(contentsOf: "{\"\(wrapKey)\":".utf8)
            JSONText.appendString(line, to: &out)
            out.append(0x7D)
        } else {
            JSONText.appendString(line, to: &out)
        }
    }

    /// `{"create":{"_index":…,"_id":"AUDITID-STAGE"}}` and its newline.
    static func appendBulkAction(_ pattern: String, _ e: EventLine, _ p: UnsafePointer<UInt8>, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"create":{"_index":"#.utf8)
        JSONText.appendString(indexName(pattern, nanos: e.stageNanoseconds(p)), to: &out)
        if let id = e.raw(e.auditID, p) {
            out.append(contentsOf: #","_id":""#.utf8)
            out.append(contentsOf: id)
            if let stage = e.raw(e.stage, p) {
                out.append(0x2D)
                out.append(contentsOf: stage)
            }
            out.append(0x22)
        }
        out.append(contentsOf: "}}\n".utf8)
    }

    /// A HEC envelope up to `"event":`.
    static func appendHECHead(_ o: SplunkOptions, _ e: EventLine, _ p: UnsafePointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x7B)
        if let ns = e.stageNanoseconds(p) {
            let seconds = ns / 1_000_000_000, micros = (ns % 1_000_000_000) / 1000
            let frac = String(micros)
            out.append(contentsOf: "\"time\":\(seconds).\(String(repeating: "0", count: 6 - frac.count))\(frac),".utf8)
        }
        out.append(contentsOf: #""host":"#.utf8)
        JSONText.appendString(o.host, to: &out)
        out.append(contentsOf: #","sourcetype":"#.utf8)
        JSONText.appendString(o.sourcetype, to: &out)
        if let index = o.index {
            out.append(contentsOf: #","index":"#.utf8)
            JSONText.appendString(index, to: &out)
        }
        out.append(contentsOf: #","event":"#.utf8)
    }

    /// A Loki stream's labels as a JSON object, values `{field}` read from the event.
    static func lokiStream(_ labels: [LokiLabel], _ e: EventLine, _ p: UnsafePointer<UInt8>) -> String {
        var stream: [UInt8] = [0x7B]
        for (k, label) in labels.enumerated() {
            if k > 0 { stream.append(0x2C) }
            JSONText.appendString(label.name, to: &stream)
            stream.append(0x3A)
            JSONText.appendString(label.field.map { e.labelValue($0, p) } ?? label.value, to: &stream)
        }
        stream.append(0x7D)
        return String(decoding: stream, as: UTF8.self)
    }
}
