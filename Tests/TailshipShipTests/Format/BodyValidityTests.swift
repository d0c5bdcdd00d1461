import Foundation
import TailshipShip
import Testing

/// Whatever the lines, a JSON body format's bodies parse as JSON: a line the format cannot
/// carry goes to the dead letters (or is dropped, or passed as a string), never into the body raw.
@Suite struct BodyValidityTests {
    static let hostile = [
        "not json", "[1,2]", "\"str\"", "{}", "42", "", "{", "}", "{\"a\":tru}", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":\"\\x\"}",
        "{\"a\":01}", "{\"a\":1}}", "{\"a\":[1,}", "{\"a\":\"\u{01}\"}", "{\"a\":1} {\"b\":2}", "{\"a\":nul}", "{'a':1}",
        #"{"kind":"Event","auditID":"x","stage":"ResponseComplete","stageTimestamp":"2026-11-27T01:02:03Z"}"#,
    ]

    @Test("bodies parse as JSON", arguments: ["json-array", "audit-eventlist", "elasticsearch-bulk", "splunk-hec"], [NonItemAction.deadLetter, .pass, .drop])
    func valid(_ name: String, _ action: NonItemAction) throws {
        let format: OutputFormat = switch name {
        case "json-array": .jsonArray
        case "audit-eventlist": .auditEventList
        case "elasticsearch-bulk": .elasticsearchBulk(index: "a")
        default: .splunkHEC(SplunkOptions(host: "h", index: nil))
        }
        let body = Array(Self.hostile.map { $0 + "\n" }.joined().utf8)
        let encoded = FormatEncoder(format: format, nonItems: action).encode(body)
        var carried = 0
        for chunk in encoded.chunks {
            carried += chunk.lines.count
            let docs: [Data] = name == "json-array" || name == "audit-eventlist"
                ? [Data(chunk.body)] : Data(chunk.body).split(separator: 0x0A).map { Data($0) }
            for d in docs {
                #expect((try? JSONSerialization.jsonObject(with: d, options: [.fragmentsAllowed])) != nil,
                        "\(name) \(action): \(String(decoding: d.prefix(200), as: UTF8.self))")
            }
        }
        #expect(carried + encoded.invalid.count + encoded.dropped == FormatEncoder.lineRanges(body).count)
    }
}
