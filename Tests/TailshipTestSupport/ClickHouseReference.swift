import Foundation

/// What a `format: clickhouse` row must hold for one line, worked out with Foundation's JSON
/// parser from the column descriptions in docs/OUTPUTS.md: independent of Tailship's byte
/// scanner, to compare with rows read back from a real ClickHouse server.
public enum ClickHouseReference {
    /// Each column's expected value (strings, [String], or Int64 for the numbers), or nil when the
    /// line is not an audit event (not a JSON object with a string auditID).
    public static func row(_ line: Data) -> [String: AnyHashable]? {
        guard let o = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let auditID = o["auditID"] as? String else {
            return nil
        }
        let user = o["user"] as? [String: Any] ?? [:]
        let ref = o["objectRef"] as? [String: Any] ?? [:]
        let annotations = o["annotations"] as? [String: Any] ?? [:]
        let code = ((o["responseStatus"] as? [String: Any])?["code"] as? NSNumber).map { Int64(truncating: $0) } ?? 0
        func text(_ d: [String: Any], _ k: String) -> String { d[k] as? String ?? "" }
        return [
            "auditID": auditID, "stage": text(o, "stage"), "level": text(o, "level"), "verb": text(o, "verb"),
            "requestURI": text(o, "requestURI"), "username": text(user, "username"),
            "userGroups": (user["groups"] as? [Any] ?? []).compactMap { $0 as? String },
            "sourceIP": (o["sourceIPs"] as? [Any])?.first as? String ?? "", "userAgent": text(o, "userAgent"),
            "namespace": text(ref, "namespace"), "resource": text(ref, "resource"), "subresource": text(ref, "subresource"),
            "name": text(ref, "name"), "apiGroup": text(ref, "apiGroup"), "code": code,
            "decision": text(annotations, "authorization.k8s.io/decision"),
            // Events of the first API versions have only `timestamp`: it stands in for both.
            "requestReceived": micros((o["requestReceivedTimestamp"] ?? o["timestamp"]) as? String),
            "stageTime": micros((o["stageTimestamp"] ?? o["timestamp"]) as? String),
            "event": String(decoding: line, as: UTF8.self),
        ]
    }

    /// A row as ClickHouse's JSONEachRow prints it (64-bit integers may be quoted), in the same types.
    public static func normalize(_ row: [String: Any]) -> [String: AnyHashable] {
        var out: [String: AnyHashable] = [:]
        for (k, v) in row {
            switch v {
            case let s as String where ["code", "requestReceived", "stageTime"].contains(k): out[k] = Int64(s) ?? -1
            case let n as NSNumber where !(v is String): out[k] = Int64(truncating: n)
            case let a as [Any]: out[k] = a.compactMap { $0 as? String }
            case let s as String: out[k] = s
            default: out[k] = "\(v)"
            }
        }
        return out
    }

    /// RFC 3339 (`2019-04-09T13:02:24.123456Z`, Z or ±hh:mm) as microseconds since the epoch; 0 when absent.
    static func micros(_ text: String?) -> Int64 {
        guard let text, text.count >= 20 else { return 0 }
        var base = String(text.prefix(19)), rest = text.dropFirst(19), fraction = ""
        if rest.first == "." {
            rest = rest.dropFirst()
            fraction = String(rest.prefix { $0.isNumber })
            rest = rest.dropFirst(fraction.count)
        }
        base += rest.isEmpty ? "Z" : String(rest)
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: base) else { return 0 }
        let micros = Int64((fraction + "000000").prefix(6)) ?? 0
        return Int64(date.timeIntervalSince1970) * 1_000_000 + micros
    }
}
