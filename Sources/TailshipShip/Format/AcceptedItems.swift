/// What a format reads from the answer to a body the receiver accepted (2xx):
/// which of its lines still failed, one by one (Elasticsearch's bulk items).
public struct AcceptedItems: Sendable, Equatable {
    /// Lines (indexes into the body's lines) refused for good: dead-lettered.
    public var failed: [Int] = []
    /// Lines refused for now (429, 5xx): sent again alone.
    public var retry: [Int] = []
    /// The first errors, for the dead letter's metadata.
    public var errors = ""

    /// Every line is in.
    public static let all = AcceptedItems()

    public var isComplete: Bool { failed.isEmpty && retry.isEmpty }
}
