import Foundation

/// `output.http.format: clickhouse`: one `INSERT … FORMAT JSONEachRow` per body, one row per line.
public struct ClickHouseOptions: Sendable, Equatable {
    /// What happens to a line that is not an audit event (not a JSON object with a string `auditID`).
    public enum InvalidLine: String, Sendable, Equatable, CaseIterable {
        /// A row with empty fields, the line in `event`, and a key made from the line (the default).
        case store
        /// To the dead-letter directory, counted.
        case deadLetter = "dead-letter"
        /// Not sent; counted.
        case drop
    }

    public var database: String
    public var table: String
    public var onInvalid: InvalidLine

    public init(database: String = "default", table: String = "k8s_audit", onInvalid: InvalidLine = .store) {
        self.database = database
        self.table = table
        self.onInvalid = onInvalid
    }

    /// Database and table names ClickHouse takes without quoting (and that need none in a URL).
    public static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    public var insertQuery: String { "INSERT INTO \(database).\(table) FORMAT JSONEachRow" }

    /// The output URL with the INSERT as its `query` parameter (kept beside any parameters already there).
    public func requestURL(base: String) -> String {
        guard var c = URLComponents(string: base) else { return base }
        if c.path.isEmpty { c.path = "/" }
        var items = (c.queryItems ?? []).filter { $0.name != "query" }
        items.append(URLQueryItem(name: "query", value: insertQuery))
        c.queryItems = items
        // URLComponents leaves '+' alone, which a server reads as a space.
        c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return c.string ?? base
    }
}
