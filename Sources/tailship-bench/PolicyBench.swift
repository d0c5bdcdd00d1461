import Foundation
import TailshipPolicy
#if canImport(Glibc)
import Glibc
#endif

/// The fields a policy needs, as a Codable type: what decoding with
/// Foundation's JSONDecoder would take instead of the byte-level scanner.
struct DecodedEvent: Decodable {
    struct User: Decodable {
        var username: String?
        var groups: [String]?
    }

    struct ObjectRef: Decodable {
        var apiGroup: String?
        var namespace: String?
        var resource: String?
        var subresource: String?
        var name: String?
    }

    var kind: String?
    var level: String?
    var stage: String?
    var auditID: String?
    var verb: String?
    var requestURI: String?
    var user: User?
    var objectRef: ObjectRef?
}

/// Times the policy processor and JSONDecoder over the same lines, one after the other, in one process.
enum PolicyBench {
    struct Result {
        var lines = 0
        var bytes = 0
        var seconds = 0.0
        var kept = 0, reduced = 0, dropped = 0, invalid = 0
        var mibPerSecond: Double { Double(bytes) / 1_048_576 / seconds }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Calls `body` for each line of the file (read in 4 MiB chunks).
    static func forEachLine(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(.ENOENT) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        var kept = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + kept, $0.count - kept) }
            guard n > 0 else { break }
            let filled = kept + n
            let consumed: Int = buffer.withUnsafeBytes { raw in
                var start = 0
                while start < filled, let nl = memchr(raw.baseAddress! + start, 0x0A, filled - start) {
                    let end = UnsafeRawPointer(nl) - raw.baseAddress!
                    body(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                    start = end + 1
                }
                return start
            }
            kept = filled - consumed
            if kept == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
            buffer.withUnsafeMutableBytes { raw in
                if kept > 0 { memmove(raw.baseAddress!, raw.baseAddress! + consumed, kept) }
            }
        }
    }

    static func runProcessor(_ path: String, policy: AuditPolicy) throws -> Result {
        let processor = PolicyProcessor(policy: policy)
        var r = Result()
        let t0 = now()
        try forEachLine(path) { line in
            r.lines += 1
            r.bytes += line.count + 1
            switch processor.process(line).action {
            case .keep: r.kept += 1
            case .reduce: r.reduced += 1
            case .drop: r.dropped += 1
            case .invalid: r.invalid += 1
            }
        }
        r.seconds = now() - t0
        return r
    }

    /// The floor both pay: reading the file and finding line ends.
    static func runSplitOnly(_ path: String) throws -> Result {
        var r = Result()
        let t0 = now()
        try forEachLine(path) { line in
            r.lines += 1
            r.bytes += line.count + 1
        }
        r.seconds = now() - t0
        return r
    }

    static func runJSONDecoder(_ path: String) throws -> Result {
        let decoder = JSONDecoder()
        var r = Result()
        let t0 = now()
        try forEachLine(path) { line in
            r.lines += 1
            r.bytes += line.count + 1
            if (try? decoder.decode(DecodedEvent.self, from: Data(line))) != nil { r.kept += 1 } else { r.invalid += 1 }
        }
        r.seconds = now() - t0
        return r
    }
}

extension PolicyBench {
    /// `policy POLICY FILE [RESULT.json]`; the exit status says whether the 4x target held.
    static func main(_ args: [String]) throws -> Int32 {
        let policy = try PolicyLoader.load(path: args[0])
        let floor = try runSplitOnly(args[1])
        let fast = try runProcessor(args[1], policy: policy)
        let slow = try runJSONDecoder(args[1])
        let ratio = fast.mibPerSecond / slow.mibPerSecond
        let mib = Double(fast.bytes) / 1_048_576
        print(String(format: "input: %.0f MiB, %d lines", mib, fast.lines))
        print("measure                                         seconds      MiB/s")
        print("read and split lines only (floor)          " + String(format: "%10.2f %10.1f", floor.seconds, floor.mibPerSecond))
        print("tailship policy processor                 " + String(format: "%10.2f %10.1f", fast.seconds, fast.mibPerSecond))
        print("Foundation JSONDecoder (policy fields)    " + String(format: "%10.2f %10.1f", slow.seconds, slow.mibPerSecond))
        print(String(format: "processor / JSONDecoder: %.1fx (target >= 4x); decisions: %d kept, %d reduced, %d dropped, %d invalid",
                     ratio, fast.kept, fast.reduced, fast.dropped, fast.invalid))
        if args.count >= 3 {
            let json = """
                {"bytes":\(fast.bytes),"lines":\(fast.lines),"processor_seconds":\(fast.seconds),"processor_mib_s":\(fast.mibPerSecond),\
                "jsondecoder_seconds":\(slow.seconds),"jsondecoder_mib_s":\(slow.mibPerSecond),"ratio":\(ratio)}

                """
            try json.write(toFile: args[2], atomically: true, encoding: .utf8)
        }
        return ratio >= 4 ? 0 : 1
    }
}
