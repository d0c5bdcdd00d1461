/// How much of a request the apiserver records, in increasing order.
public enum AuditLevel: Int, Sendable, Comparable, CaseIterable {
    case none = 0, metadata, request, requestResponse

    public var name: String {
        switch self {
        case .none: "None"
        case .metadata: "Metadata"
        case .request: "Request"
        case .requestResponse: "RequestResponse"
        }
    }

    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = level
    }

    public static func < (a: AuditLevel, b: AuditLevel) -> Bool { a.rawValue < b.rawValue }
}
