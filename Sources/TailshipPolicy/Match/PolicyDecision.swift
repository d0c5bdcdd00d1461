/// What a policy decides for one request, as kube-apiserver's checker returns it.
public struct PolicyDecision: Sendable, Equatable {
    public var level: AuditLevel
    /// The rule's stages united with the policy's.
    public var omitStages: StageSet
    public var omitManagedFields: Bool
    /// 0-based index of the matching rule; nil when none matched (level None).
    public var rule: Int?
}
