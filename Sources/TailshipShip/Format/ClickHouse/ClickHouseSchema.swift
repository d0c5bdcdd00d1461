/// The table `format: clickhouse` writes to (`tailship schema clickhouse`).
///
/// Only types and syntax that ClickHouse 18.16 (Debian 12's `clickhouse-server`) already has,
/// so the same statement runs there and on current releases: times are Int64 microseconds
/// (no DateTime64 before 20.1), no LowCardinality. ReplacingMergeTree on (auditID, stage)
/// folds a re-sent row into one, at merge time or with `FINAL`.
public enum ClickHouseSchema {
    /// Column names and types, in the order rows carry them.
    public static let columns: [(name: String, type: String)] = [
        ("auditID", "String"), ("stage", "String"), ("level", "String"), ("verb", "String"),
        ("requestURI", "String"), ("username", "String"), ("userGroups", "Array(String)"),
        ("sourceIP", "String"), ("userAgent", "String"), ("namespace", "String"), ("resource", "String"),
        ("subresource", "String"), ("name", "String"), ("apiGroup", "String"), ("code", "Int32"),
        ("decision", "String"), ("requestReceived", "Int64"), ("stageTime", "Int64"), ("event", "String"),
    ]

    public static func createTable(database: String = "default", table: String = "k8s_audit") -> String {
        let width = columns.map(\.name.count).max() ?? 0
        let body = columns.map { "    \($0.name)\(String(repeating: " ", count: width - $0.name.count + 1))\($0.type)" }
        return """
        CREATE TABLE IF NOT EXISTS \(database).\(table)
        (
        \(body.joined(separator: ",\n"))
        )
        ENGINE = ReplacingMergeTree
        PARTITION BY toDate(intDiv(stageTime, 1000000))
        ORDER BY (auditID, stage)

        """
    }
}
