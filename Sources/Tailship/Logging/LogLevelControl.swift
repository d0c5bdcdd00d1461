import Logging
import Synchronization

/// The process's log level, shared by every logger the executable creates, so
/// that a reload (SIGHUP) can change it for loggers that already exist.
public final class LogLevelControl: Sendable {
    public static let shared = LogLevelControl()
    private let raw = Atomic<Int>(LogLevelControl.index(.info))

    public var level: Logger.Level {
        get { Logger.Level.allCases[raw.load(ordering: .relaxed)] }
        set { raw.store(Self.index(newValue), ordering: .relaxed) }
    }

    private static func index(_ level: Logger.Level) -> Int {
        Logger.Level.allCases.firstIndex(of: level) ?? 2
    }
}
