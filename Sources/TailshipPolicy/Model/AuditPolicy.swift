/// A validated audit `Policy` (audit.k8s.io/v1 or v1beta1).
public struct AuditPolicy: Sendable, Equatable {
    public var apiVersion: String
    public var rules: [PolicyRule]
    public var omitStages: StageSet
    public var omitManagedFields: Bool

    public init(apiVersion: String = "audit.k8s.io/v1", rules: [PolicyRule], omitStages: StageSet = StageSet(), omitManagedFields: Bool = false) {
        self.apiVersion = apiVersion
        self.rules = rules
        self.omitStages = omitStages
        self.omitManagedFields = omitManagedFields
    }
}
