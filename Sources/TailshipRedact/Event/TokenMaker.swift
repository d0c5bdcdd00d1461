import TailshipJSON

/// The replacement of one value: `"<redacted sha256:XXXXXXXXXXXX>"` (12 hex digits) or
/// `"anon:XXXXXXXXXXXXXXXX"` (16), each the start of HMAC-SHA-256 under its own key of the
/// value: a string's characters (escapes resolved, so a value is the same token wherever
/// it is written), any other value's JSON text as written.
final class TokenMaker {
    /// Asked once per event: a key file changed meanwhile is used from the next event on.
    private let redactionKey: () -> RedactionKey
    private let pseudonymKey: (() -> RedactionKey)?
    private var redaction: RedactionKey.Hasher?
    private var pseudonym: RedactionKey.Hasher?

    static let redactedPrefix = Array("\"<redacted sha256:".utf8)
    static let redactedSuffix = Array(">\"".utf8)
    static let anonPrefix = Array("\"anon:".utf8)

    init(redactionKey: @escaping () -> RedactionKey, pseudonymKey: (() -> RedactionKey)?) {
        self.redactionKey = redactionKey
        self.pseudonymKey = pseudonymKey
    }

    /// Whether the keys were asked for since the event began.
    private var fresh = false

    /// A new event: its first token asks for the keys again.
    func newEvent() { fresh = false }

    /// The keys as they are now (keyed again only when one changed).
    private func refresh() {
        fresh = true
        let key = redactionKey()
        if redaction?.key != key { redaction = RedactionKey.Hasher(key) }
        if let pseudonymKey {
            let p = pseudonymKey()
            if pseudonym?.key != p { pseudonym = RedactionKey.Hasher(p) }
        }
    }

    func redaction(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> ValueEdit {
        if !fresh { refresh() }
        return ValueEdit(start: s, end: e, replacement: Self.redactedPrefix + hash(p, s, e, redaction!, digits: 12) + Self.redactedSuffix,
                         isRedaction: true)
    }

    func pseudonym(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> ValueEdit? {
        guard pseudonymKey != nil else { return nil }
        if !fresh { refresh() }
        return ValueEdit(start: s, end: e, replacement: Self.anonPrefix + hash(p, s, e, pseudonym!, digits: 16) + [0x22], isRedaction: false)
    }

    private func hash(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ hasher: RedactionKey.Hasher, digits: Int) -> [UInt8] {
        guard p[s] == 0x22, e - s >= 2 else { return hasher.token(of: UnsafeRawBufferPointer(start: p + s, count: e - s), hexDigits: digits) }
        let string = JSONString(start: s + 1, end: e - 1, escaped: UnsafeBufferPointer(start: p + s + 1, count: e - s - 2).contains(0x5C))
        if string.escaped {
            return string.decoded(in: p).withUnsafeBytes { hasher.token(of: $0, hexDigits: digits) }
        }
        return hasher.token(of: UnsafeRawBufferPointer(start: p + s + 1, count: e - s - 2), hexDigits: digits)
    }
}
