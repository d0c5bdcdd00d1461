import Foundation
import Tailship
import TailshipShip
import TailshipTail
import TailshipTestSupport

extension DaemonFixture {
    /// A config with an `outputs:` list (`outputs` is its entries, indented under it).
    func config(outputs: String, batch: String = "{max_events: 500, max_wait: 100ms}", extra: String = "", start: String = "beginning",
                paths: [String]? = nil) -> String {
        writeConfig(input: "start_at: \(start)", paths: paths, outputs: "outputs:\n\(outputs)", batch: batch, extra: extra)
    }

    /// Each output's committed offset of the live log, from the registry file.
    func committed() -> [String: UInt64] {
        guard let set = try? RegistryStore(path: registry).load() else { return [:] }
        var out: [String: UInt64] = [:]
        for (name, document) in set.outputs {
            out[name] = document.entries.first { $0.path == log }?.offset
        }
        return out
    }
}

/// The auditIDs of every event in the bodies an `audit-eventlist` receiver accepted, in arrival order.
func eventListIDs(_ receiver: PyReceiver) -> [String] {
    receiver.requests.filter { $0.status < 300 }.flatMap { request -> [String] in
        let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
        return (object?["items"] as? [[String: Any]] ?? []).compactMap { $0["auditID"] as? String }
    }
}

/// The stageTimestamp (Unix microseconds) of the last event in the newest output file of a file sink.
func lastStageMicros(in directory: String) -> Int64? {
    guard let newest = OutputReader.files(in: directory).last,
          let data = FileManager.default.contents(atPath: newest),
          let text = try? Gzip.decompress(Array(data)),
          let line = text.split(separator: 0x0A).last else { return nil }
    return stageMicros(String(decoding: line, as: UTF8.self))
}

/// An event line's stageTimestamp as Unix microseconds.
func stageMicros(_ line: String) -> Int64? {
    guard let range = line.range(of: #""stageTimestamp":""#) else { return nil }
    let value = line[range.upperBound...].prefix { $0 != "\"" }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    // Six fractional digits: Foundation reads three, so the microseconds are added back by hand.
    let parts = value.split(separator: ".")
    guard parts.count == 2, let date = formatter.date(from: "\(parts[0]).000Z"),
          let micros = Int64(parts[1].prefix { $0.isNumber }.padding(toLength: 6, withPad: "0", startingAt: 0)) else { return nil }
    return Int64(date.timeIntervalSince1970) * 1_000_000 + micros
}
