import Foundation
import TailshipJSON
import TailshipPolicy

/// One input is one line. Foundation's JSONSerialization is the reference:
/// where it reads the line as an object, the fields the scanner found must
/// hold the same strings, and a line the policy reduced must still parse and
/// keep every member except the ones it removed.
enum FieldsFuzz {
    static let policy = try! PolicyLoader.parse("""
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: [RequestReceived]
        rules:
          - level: None
            users: ["system:kube-proxy"]
            verbs: [watch]
          - level: Metadata
            resources: [{group: "", resources: [secrets]}]
          - level: Request
            resources: [{group: "", resources: [configmaps]}]
            omitManagedFields: true
          - level: RequestResponse
            omitManagedFields: true
        """)

    static func run(_ data: [UInt8]) -> String? {
        let reference = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any]
        var members: [JSONMember] = []
        let fields: EventFields? = data.withUnsafeBufferPointer { buffer in
            guard let p = buffer.baseAddress, buffer.count > 0 else { return nil }
            return EventFields.scan(p, buffer.count, members: &members)
        }
        if let reference, let fields {
            if let failure = data.withUnsafeBufferPointer({ compare(fields, reference, $0) }) { return failure }
        }
        let processor = PolicyProcessor(policy: policy)
        let verdict = data.withUnsafeBytes { processor.process($0) }
        guard verdict.action == .reduce, let reference else { return nil }
        guard let reduced = try? JSONSerialization.jsonObject(with: Data(processor.output)) as? [String: Any] else {
            return "a reduced valid event is no longer valid JSON: \(String(decoding: processor.output, as: UTF8.self))"
        }
        let removable: Set<String> = ["requestObject", "responseObject"]
        let lost = Set(reference.keys).subtracting(reduced.keys).subtracting(removable)
        if !lost.isEmpty { return "reduction removed members \(lost.sorted())" }
        let added = Set(reduced.keys).subtracting(reference.keys)
        if !added.isEmpty { return "reduction added members \(added.sorted())" }
        return nil
    }

    private static func compare(_ f: EventFields, _ reference: [String: Any], _ buffer: UnsafeBufferPointer<UInt8>) -> String? {
        let p = buffer.baseAddress!
        let checks: [(String, JSONString?)] = [
            ("verb", f.verb), ("level", f.level), ("stage", f.stage), ("auditID", f.auditID), ("requestURI", f.requestURI),
        ]
        for (key, found) in checks where occurrences(of: "\"\(key)\"", in: buffer) == 1 {
            guard let expected = reference[key] as? String else { continue }
            guard let found else { return "scanner missed \(key) = \(expected)" }
            let bytes = found.decoded(in: p)
            if bytes != Array(expected.utf8) { return "\(key): scanner read \(String(decoding: bytes, as: UTF8.self)), Foundation \(expected)" }
        }
        if occurrences(of: "\"kind\"", in: buffer) == 1, let kind = reference["kind"] as? String {
            if f.isEvent != (kind == "Event") { return "kind \(kind) but isEvent=\(f.isEvent)" }
        }
        return nil
    }

    private static func occurrences(of needle: String, in buffer: UnsafeBufferPointer<UInt8>) -> Int {
        let n = Array(needle.utf8)
        guard buffer.count >= n.count else { return 0 }
        var count = 0
        for i in 0...(buffer.count - n.count) where buffer[i] == n[0] {
            if Array(buffer[i..<(i + n.count)]) == n { count += 1 }
        }
        return count
    }
}
