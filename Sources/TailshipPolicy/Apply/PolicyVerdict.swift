import TailshipJSON
/// What happens to one line.
public enum PolicyAction: String, Sendable {
    /// Shipped as its original bytes.
    case keep
    /// Shipped without the parts the decided level excludes.
    case reduce
    /// Not shipped: level None, or its stage is omitted.
    case drop
    /// Not a JSON object with `kind: Event`; `policy_on_invalid` decides.
    case invalid
}

/// The outcome for one line. String ranges point into that line.
public struct PolicyVerdict {
    public var action: PolicyAction
    public var decision: PolicyDecision?
    public var auditID: JSONString?
    public var stage: JSONString?
}
