import Foundation
import TailshipTestSupport

/// The `make bench` input: audit events whose mix follows the real logs in
/// Tests/Fixtures/real/ (each real event is a template; every output event
/// gets a fresh auditID), with a share of Request and RequestResponse events
/// blown up to 10-200 KB with real objects, as a busy control plane writes
/// for large lists and updates. Deterministic for a seed.
struct BenchLog {
    struct Template {
        var head: [UInt8]      // up to the auditID value
        var tail: [UInt8]      // after it, to the end, with the event's own objects
        var bare: [UInt8]      // after it, without requestObject/responseObject, without the closing brace
    }

    static let placeholder = "00000000-0000-4000-8000-000000000000"
    /// Shares of the output (the real logs: 84% Metadata, 2% Request, 14% RequestResponse by count).
    static let metadataShare = 0.84, requestShare = 0.04
    /// Of the Request and RequestResponse events, this share is made 10-200 KB.
    static let largeShare = 0.10

    var metadata: [Template] = []
    var request: [Template] = []
    var requestResponse: [Template] = []
    /// Real objects to fill large events with.
    var objects: [[UInt8]] = []

    init(realDirectory: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: realDirectory).sorted()
        for name in names where name.hasSuffix(".ndjson") || name.hasSuffix(".log") {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(realDirectory)/\(name)"))
            for line in data.split(separator: 0x0A) {
                guard var event = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
                      event["kind"] as? String == "Event", let level = event["level"] as? String else { continue }
                event["auditID"] = Self.placeholder
                for key in ["requestObject", "responseObject"] {
                    if let object = event[key] as? [String: Any], let bytes = try? Self.json(object) { objects.append(bytes) }
                }
                let full = try Self.json(event)
                event["requestObject"] = nil
                event["responseObject"] = nil
                let bare = try Self.json(event)
                guard let cut = BenchBytes.range(of: Array(Self.placeholder.utf8), in: full),
                      let bareCut = BenchBytes.range(of: Array(Self.placeholder.utf8), in: bare) else { continue }
                let template = Template(head: Array(full[..<cut.lowerBound]), tail: Array(full[cut.upperBound...]),
                                        bare: Array(bare[bareCut.upperBound..<(bare.count - 1)]))
                switch level {
                case "Metadata": metadata.append(template)
                case "Request": request.append(template)
                case "RequestResponse": requestResponse.append(template)
                default: break
                }
            }
        }
        guard !metadata.isEmpty, !request.isEmpty, !requestResponse.isEmpty, !objects.isEmpty else {
            throw BenchError("no usable audit events in \(realDirectory)")
        }
        // Lists are built from ordinary objects (pods, roles, CRDs): the real logs' one 219 KB
        // ConfigMap of packed data would make every large event mostly incompressible.
        objects = objects.filter { $0.count <= 32 << 10 }.sorted { $0.count < $1.count }
    }

    /// A `…List` object of about `size` bytes built from real objects.
    func largeObject(size: Int, random: inout SplitMix64) -> [UInt8] {
        var out = Array(#"{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"#.utf8)
        out += Array("\"\(random.below(90_000_000) + 10_000_000)\"},\"items\":[".utf8)
        var first = true
        while out.count < size {
            if !first { out.append(0x2C) }
            first = false
            out += objects[random.below(objects.count)]
        }
        out += Array("]}".utf8)
        return out
    }

    /// Writes at least `bytes` bytes of events to `path`; returns (events, bytes, large events).
    func write(to path: String, bytes target: Int, seed: UInt64) throws -> (events: Int, bytes: Int, large: Int) {
        var random = SplitMix64(seed: seed)
        // A fixed set of large objects (10-200 KB), chosen from per event: building one per event would dominate.
        let large = (0..<32).map { i in largeObject(size: 10_240 + i * (194_560 / 31), random: &random) }
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw BenchError("cannot create \(path)")
        }
        defer { try? out.close() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8 << 20)
        var written = 0, events = 0, largeEvents = 0
        while written < target {
            let roll = Double(random.below(1_000_000)) / 1_000_000
            let level = roll < Self.metadataShare ? 0 : roll < Self.metadataShare + Self.requestShare ? 1 : 2
            let pool = level == 0 ? metadata : level == 1 ? request : requestResponse
            let t = pool[random.below(pool.count)]
            let start = buffer.count
            buffer += t.head
            buffer += random.uuid()
            if level > 0 && Double(random.below(1_000_000)) / 1_000_000 < Self.largeShare {
                buffer += t.bare
                buffer += Array((level == 1 ? #","requestObject":"# : #","responseObject":"#).utf8)
                buffer += large[random.below(large.count)]
                buffer.append(0x7D)
                largeEvents += 1
            } else {
                buffer += t.tail
            }
            buffer.append(0x0A)
            written += buffer.count - start
            events += 1
            if buffer.count >= 8 << 20 {
                out.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        out.write(Data(buffer))
        return (events, written, largeEvents)
    }

    static func json(_ object: Any) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
