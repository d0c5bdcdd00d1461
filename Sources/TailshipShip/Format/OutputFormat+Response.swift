/// Each format's part in the conversation with its receiver: where it posts,
/// what it needs of an answer, and what an answer means. `HTTPSink` asks; it
/// knows no format.
extension OutputFormat {
    /// The URL a body is POSTed to, from the configured one (ClickHouse names its query there).
    public func requestURL(base: String) -> String {
        guard case .clickhouse(let options) = self else { return base }
        return options.requestURL(base: base)
    }

    /// Bytes of an answer's body worth keeping: an Elasticsearch bulk answer lists every item.
    public var responseBytesNeeded: Int {
        if case .elasticsearchBulk = self { return 64 << 20 }
        return 4096
    }

    /// Which lines of an accepted body of `count` lines still failed. Only Elasticsearch answers
    /// item by item (409, already indexed by a replay, counts as in).
    public func acceptedItems(body: [UInt8], count: Int) -> AcceptedItems {
        guard case .elasticsearchBulk = self else { return .all }
        let items = BulkResponse.parse(body, count: count)
        var result = AcceptedItems()
        result.failed = items.indices.filter { items[$0].isPermanentFailure }
        result.retry = items.indices.filter { items[$0].isRetryable }
        result.errors = items.filter(\.isPermanentFailure).prefix(20).map(\.summary).joined(separator: "\n")
        if result.errors.isEmpty, let first = items.first(where: \.isRetryable) { result.errors = first.summary }
        return result
    }

    /// Why lines of an accepted body were dead-lettered, in the receiver's terms.
    public func itemsRejectedReason(_ count: Int) -> String {
        if case .elasticsearchBulk = self { return "Elasticsearch rejected \(count) bulk item(s)" }
        return "the receiver rejected \(count) item(s)"
    }

    /// An answer that retrying cannot fix although its status says it might (ClickHouse's
    /// parse errors come as 500 from older servers).
    public func isPermanentFailure(status: Int, headers: [(String, String)], body: [UInt8]) -> Bool {
        guard case .clickhouse = self else { return false }
        return ClickHouseResponse.isPermanent(status: status, headers: headers, body: body)
    }
}
