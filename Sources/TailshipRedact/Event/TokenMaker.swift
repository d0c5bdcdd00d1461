import TailshipJSON

/// The replacement of one value: `"<redacted sha256:XXXXXXXXXXXX>"` (12 hex digits) or
/// `"anon:XXXXXXXXXXXXXXXX"` (16), each the start of HMAC-SHA-256 under its own key of the
/// value: a string's characters (escapes resolved, so a value is the same token wherever
/// it is written), any other value's JSON text as written.
struct TokenMaker {
    /// Asked for each token: a key file changed meanwhile is used from the next value on.
    let redactionKey: () -> RedactionKey
    let pseudonymKey: (() -> RedactionKey)?

    static let redactedPrefix = Array("\"<redacted sha256:".utf8)
    static let redactedSuffix = Array(">\"".utf8)
    static let anonPrefix = Array("\"anon:".utf8)

    func redaction(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> ValueEdit {
        ValueEdit(start: s, end: e, replacement: Self.redactedPrefix + hash(p, s, e, key: redactionKey(), digits: 12) + Self.redactedSuffix,
                  isRedaction: true)
    }

    func pseudonym(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> ValueEdit? {
        guard let pseudonymKey else { return nil }
        return ValueEdit(start: s, end: e, replacement: Self.anonPrefix + hash(p, s, e, key: pseudonymKey(), digits: 16) + [0x22],
                         isRedaction: false)
    }

    private func hash(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, key: RedactionKey, digits: Int) -> [UInt8] {
        guard p[s] == 0x22, e - s >= 2 else { return key.token(of: UnsafeRawBufferPointer(start: p + s, count: e - s), hexDigits: digits) }
        let string = JSONString(start: s + 1, end: e - 1, escaped: UnsafeBufferPointer(start: p + s + 1, count: e - s - 2).contains(0x5C))
        if string.escaped {
            return string.decoded(in: p).withUnsafeBytes { key.token(of: $0, hexDigits: digits) }
        }
        return key.token(of: UnsafeRawBufferPointer(start: p + s + 1, count: e - s - 2), hexDigits: digits)
    }
}
