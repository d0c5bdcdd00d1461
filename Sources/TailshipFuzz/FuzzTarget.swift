import Foundation

/// The inputs `make fuzz` throws at Tailship. Each target checks properties,
/// not only "no crash": a property that fails is returned as a message, which
/// the libFuzzer driver turns into a crash and the corpus test into a failure.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `LineFramer`: chunk boundaries and line limits never change the lines.
    case framer
    /// `EventFields` and `PolicyProcessor`: fields agree with Foundation's JSON
    /// parser; a reduced event is still valid JSON without the removed members.
    case fields
    /// `PolicyLoader.parse`: a policy or an error, never a crash.
    case policy
    /// `ResolvedConfig.parse` and `resolve`: a config or an error.
    case config
    /// `RegistryStore.decode`: a registry or an error; a decoded one round-trips.
    case registry

    /// Runs one input; nil when every property held.
    public func run(_ data: [UInt8]) -> String? {
        switch self {
        case .framer: return FramerFuzz.run(data)
        case .fields: return FieldsFuzz.run(data)
        case .policy: return PolicyFuzz.run(data)
        case .config: return ConfigFuzz.run(data)
        case .registry: return RegistryFuzz.run(data)
        }
    }
}
