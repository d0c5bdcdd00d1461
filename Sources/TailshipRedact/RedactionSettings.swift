/// What is redacted and pseudonymised (`redact:` and `pseudonymize:` in the configuration).
public struct RedactionSettings: Sendable, Equatable {
    /// Secret data, last-applied copies of it, service-account tokens and TokenReview tokens.
    public var secrets: Bool
    /// More values to redact in any event.
    public var paths: [RedactPath]
    /// Values to replace by `anon:` tokens; an array's items one by one.
    public var pseudonymize: [RedactPath]

    public init(secrets: Bool = true, paths: [RedactPath] = [], pseudonymize: [RedactPath] = []) {
        self.secrets = secrets
        self.paths = paths
        self.pseudonymize = pseudonymize
    }

    /// Whether any value can change.
    public var isActive: Bool { secrets || !paths.isEmpty || !pseudonymize.isEmpty }
}
