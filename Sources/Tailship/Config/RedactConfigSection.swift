/// `redact:`: secret values replaced by keyed hashes before anything is shipped. On by default.
public struct RedactSection: ConfigSection, Sendable {
    /// Secret data, last-applied copies of it, TokenRequest and TokenReview tokens. Default true.
    public var secrets: Bool?
    /// More values to redact in any event: `requestObject.spec.password`, `items[*]`, `["a.b"]`.
    public var paths: [String]?
    /// The HMAC key's file. Default: `redact.key` beside the registry, made at first start (0600).
    public var keyFile: String?
}

/// `pseudonymize:`: personal values replaced by stable keyed tokens. Off by default.
public struct PseudonymizeSection: ConfigSection, Sendable {
    /// Paths such as user.username, user.groups, impersonatedUser.username, sourceIPs.
    public var fields: [String]?
    /// The HMAC key's file (share it between nodes for the same tokens everywhere).
    /// Default: `pseudonymize.key` beside the registry, made at first start (0600).
    public var keyFile: String?
}
