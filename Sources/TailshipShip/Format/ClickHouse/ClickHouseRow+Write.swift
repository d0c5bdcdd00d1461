import TailshipJSON
import TailshipBasics

extension ClickHouseRow {
    /// Where each column's value comes from, in the schema's order.
    enum Slot {
        case string(Field), groups, code, requestReceived, stageTime, event
    }

    /// Each column's `"name":` (with a leading comma after the first) and its slot, built once.
    static let layout: [(prefix: [UInt8], slot: Slot)] = ClickHouseSchema.columns.enumerated().map { i, column in
        let slot: Slot = switch column.name {
        case "userGroups": .groups
        case "code": .code
        case "requestReceived": .requestReceived
        case "stageTime": .stageTime
        case "event": .event
        default: .string(Field.allCases.first { "\($0)" == column.name }!)
        }
        return (Array("\(i == 0 ? "{" : ",")\"\(column.name)\":".utf8), slot)
    }

    /// Appends this event's row (and `\n`); `line` is the event, stored whole in `event`.
    func write(_ line: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let p = line.baseAddress!.assumingMemoryBound(to: UInt8.self)
        for (prefix, slot) in Self.layout {
            out.append(contentsOf: prefix)
            switch slot {
            case .string(let f): Self.appendRaw(strings[f.rawValue], p, to: &out)
            case .groups:
                out.append(0x5B)
                for (k, g) in groups.enumerated() {
                    if k > 0 { out.append(0x2C) }
                    Self.appendRaw(g, p, to: &out)
                }
                out.append(0x5D)
            case .code: out.append(contentsOf: String(code).utf8)
            case .requestReceived: out.append(contentsOf: String(Self.micros(requestReceived ?? legacyTimestamp, p)).utf8)
            case .stageTime: out.append(contentsOf: String(Self.micros(stageTime ?? legacyTimestamp, p)).utf8)
            case .event: JSONText.appendString(line, to: &out)
            }
        }
        out.append(contentsOf: "}\n".utf8)
    }

    /// The row of a line that is not an audit event: empty fields, the line in `event`, and an
    /// `auditID` made from the line's bytes, so that ReplacingMergeTree does not fold distinct
    /// such lines into one (a re-sent one still folds: it has the same bytes).
    static func writeInvalid(_ line: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let digits = String(FNV1a.hash(line), radix: 16)
        out.append(contentsOf: #"{"auditID":"tailship-invalid-"#.utf8)
        out.append(contentsOf: (String(repeating: "0", count: 16 - digits.count) + digits).utf8)
        out.append(0x22)
        for column in ClickHouseSchema.columns.dropFirst().dropLast() {
            out.append(contentsOf: ",\"\(column.name)\":".utf8)
            switch column.type {
            case "Array(String)": out.append(contentsOf: "[]".utf8)
            case "Int32", "Int64": out.append(0x30)
            default: out.append(contentsOf: "\"\"".utf8)
            }
        }
        out.append(contentsOf: #","event":"#.utf8)
        JSONText.appendString(line, to: &out)
        out.append(contentsOf: "}\n".utf8)
    }

    /// A string still escaped as the event wrote it, in quotes; "" when absent.
    private static func appendRaw(_ s: JSONString?, _ p: UnsafePointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        if let s { out.append(contentsOf: UnsafeBufferPointer(start: p + s.start, count: s.count)) }
        out.append(0x22)
    }
}
