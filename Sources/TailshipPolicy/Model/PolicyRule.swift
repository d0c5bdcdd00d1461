/// One rule of a policy. An empty list means "any"; every non-empty field must match.
public struct PolicyRule: Sendable, Equatable {
    public var level: AuditLevel
    public var users: [String] = []
    public var userGroups: [String] = []
    public var verbs: [String] = []
    public var resources: [GroupResources] = []
    public var namespaces: [String] = []
    public var nonResourceURLs: [String] = []
    public var omitStages = StageSet()
    /// nil: the policy's setting applies.
    public var omitManagedFields: Bool?

    public init(level: AuditLevel) { self.level = level }
}
