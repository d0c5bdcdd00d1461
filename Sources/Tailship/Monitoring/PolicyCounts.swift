import Synchronization
import TailshipPolicy

/// Audit policy outcomes by decided level and action, for
/// `tailship_policy_events_total{level,action}`: a fixed, small label set.
public final class PolicyCounts: Sendable {
    /// Level labels: the four audit levels, then `unknown` for lines that are not audit events.
    public static let levels = AuditLevel.allCases.map(\.name) + ["unknown"]
    public static let actions: [PolicyAction] = [.keep, .reduce, .drop, .invalid]
    private let counts = Mutex([Int](repeating: 0, count: levels.count * actions.count))

    public init() {}

    /// Uncontended on the reader thread; the scrape takes a copy.
    func add(level: AuditLevel?, action: PolicyAction) {
        let row = level?.rawValue ?? Self.levels.count - 1
        let column = Self.actions.firstIndex(of: action) ?? 0
        counts.withLock { $0[row * Self.actions.count + column] += 1 }
    }

    /// (level, action, count) for every combination seen at least once.
    public func snapshot() -> [(level: String, action: String, count: Int)] {
        let values = counts.withLock { $0 }
        var out: [(String, String, Int)] = []
        for (r, level) in Self.levels.enumerated() {
            for (c, action) in Self.actions.enumerated() where values[r * Self.actions.count + c] > 0 {
                out.append((level, action.rawValue, values[r * Self.actions.count + c]))
            }
        }
        return out
    }
}
