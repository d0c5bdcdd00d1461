import Foundation

/// One item of an Elasticsearch `_bulk` response
/// (`{"errors":true,"items":[{"create":{"status":409,"error":{...}}},...]}`).
struct BulkResponse {
    var status: Int
    var error: String?

    /// 409: the document exists already (a replayed batch); it counts as delivered.
    var isPermanentFailure: Bool { !(200..<300).contains(status) && status != 409 && !isRetryable }
    var isRetryable: Bool { status == 429 || (status >= 500 && status != 501) }
    var summary: String { "status \(status): \(error ?? "")" }

    /// The items in request order; a response that cannot be read counts every item as retryable.
    static func parse(_ body: [UInt8], count: Int) -> [BulkResponse] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return Array(repeating: BulkResponse(status: 503, error: "unreadable bulk response"), count: count)
        }
        if object["errors"] as? Bool == false { return Array(repeating: BulkResponse(status: 201, error: nil), count: count) }
        guard let items = object["items"] as? [[String: Any]], items.count == count else {
            return Array(repeating: BulkResponse(status: 503, error: "bulk response without one item per event"), count: count)
        }
        return items.map { item in
            let result = (item["create"] ?? item["index"] ?? item.values.first) as? [String: Any] ?? [:]
            let status = result["status"] as? Int ?? 503
            var error: String?
            if let e = result["error"], let data = try? JSONSerialization.data(withJSONObject: e) {
                error = String(decoding: data, as: UTF8.self)
            }
            return BulkResponse(status: status, error: error)
        }
    }
}
