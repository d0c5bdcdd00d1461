import Foundation
import TailshipShip

/// What a dead-letter directory holds: the stored lines (every `.ndjson.gz`, gunzipped, in
/// name order) and the text of the `.json` metadata files beside them.
func readDeadLetters(_ dir: String) throws -> (lines: [String], meta: String) {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    let lines = try names.filter { $0.hasSuffix(".ndjson.gz") }.flatMap {
        try Gzip.decompress(Array(Data(contentsOf: URL(fileURLWithPath: "\(dir)/\($0)")))).split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
    }
    let meta = try names.filter { $0.hasSuffix(".json") }.map { try String(contentsOfFile: "\(dir)/\($0)", encoding: .utf8) }.joined()
    return (lines, meta)
}
