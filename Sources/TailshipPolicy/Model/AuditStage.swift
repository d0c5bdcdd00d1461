/// The stages at which the apiserver writes an event.
public enum AuditStage: Int, Sendable, CaseIterable {
    case requestReceived = 0, responseStarted, responseComplete, panic

    public var name: String {
        switch self {
        case .requestReceived: "RequestReceived"
        case .responseStarted: "ResponseStarted"
        case .responseComplete: "ResponseComplete"
        case .panic: "Panic"
        }
    }

    public init?(name: String) {
        guard let stage = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = stage
    }
}

/// A set of stages as bits, so the per-event union and test cost nothing.
public struct StageSet: Sendable, Equatable {
    public var bits: UInt8

    public init(bits: UInt8 = 0) { self.bits = bits }

    public init(_ stages: [AuditStage]) {
        bits = 0
        for s in stages { insert(s) }
    }

    public mutating func insert(_ stage: AuditStage) { bits |= 1 << UInt8(stage.rawValue) }
    public func contains(_ stage: AuditStage) -> Bool { bits & (1 << UInt8(stage.rawValue)) != 0 }
    public func union(_ other: StageSet) -> StageSet { StageSet(bits: bits | other.bits) }

    /// Stage names in lexicographic order, as `policy test` prints them.
    public var sortedNames: [String] {
        AuditStage.allCases.filter(contains).map(\.name).sorted()
    }
}
