import Foundation
import TailshipShip

/// Reads back what the file sink wrote: every `tailship-*.ndjson.gz` in name order.
public enum OutputReader {
    public static func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("tailship-") && $0.hasSuffix(".ndjson.gz") }.sorted().map { "\(directory)/\($0)" }
    }

    /// The decompressed contents of every output file, concatenated in name order.
    public static func contents(of directory: String) throws -> [UInt8] {
        var all: [UInt8] = []
        for file in files(in: directory) {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            all += try Gzip.decompress(Array(data))
        }
        return all
    }

    /// The `auditID` of each line, in order ("" where a line has none).
    public static func auditIDs(in bytes: [UInt8]) -> [String] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: true).map { auditID(in: $0) }
    }

    static func auditID(in line: ArraySlice<UInt8>) -> String {
        let key = Array(#""auditID":""#.utf8)
        guard line.count > key.count else { return "" }
        var i = line.startIndex
        while i + key.count <= line.endIndex {
            if line[i] == key[0] && line[i..<(i + key.count)].elementsEqual(key) {
                let start = i + key.count
                guard let end = line[start...].firstIndex(of: 0x22) else { return "" }
                return String(decoding: line[start..<end], as: UTF8.self)
            }
            i += 1
        }
        return ""
    }
}
