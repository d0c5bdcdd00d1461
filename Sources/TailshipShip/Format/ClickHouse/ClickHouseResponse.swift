/// Which ClickHouse error answers no retry can fix.
///
/// ClickHouse 18.16 (Debian 12) answers a row it cannot parse with status 500 and a body
/// `Code: 27, e.displayText() = …`; newer releases answer 400 and also send the code in
/// `X-ClickHouse-Exception-Code`. Status alone would retry bad rows for ever, so the code decides.
enum ClickHouseResponse {
    /// Errors about the request itself: rows that do not parse or fit the table, a table or
    /// database that does not exist, a query or user that is not allowed.
    static let permanentCodes: Set<Int> = [
        6, 16, 25, 26, 27, 36, 38, 41, 43, 44, 47, 53, 60, 62, 69, 70, 72, 73, 81, 117, 131, 164, 192, 193, 354, 497, 516,
    ]

    /// The exception code of an error answer, from the header or the body's `Code: N`.
    static func code(headers: [(String, String)], body: [UInt8]) -> Int? {
        if let h = headers.first(where: { $0.0.lowercased() == "x-clickhouse-exception-code" }), let n = Int(h.1) { return n }
        let text = String(decoding: body.prefix(64), as: UTF8.self)
        guard let range = text.range(of: "Code: ") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    static func isPermanent(status: Int, headers: [(String, String)], body: [UInt8]) -> Bool {
        guard status >= 500, let code = code(headers: headers, body: body) else { return false }
        return permanentCodes.contains(code)
    }
}
