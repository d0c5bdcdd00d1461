/// Which library writes (and first tries to read) gzip.
public enum CompressionEngine: String, Sendable, Equatable, CaseIterable {
    /// Intel's ISA-L (igzip): levels 1 to 3, a fraction of zlib's CPU for a standard gzip stream.
    case isal
    /// The system zlib: every level, 1 to 9.
    case zlib

    /// Whether this build links ISA-L (its header was there at build time and TAILSHIP_ISAL was not 0).
    public static var isalBuiltIn: Bool {
        #if TAILSHIP_ISAL
        return true
        #else
        return false
        #endif
    }

    /// ISA-L's levels: compression_level 1, 2 and 3 are ISA-L's 1, 2 and 3 (its 0 is not offered:
    /// it compresses less than zlib's 1). Above 3 only zlib has the level.
    public static let isalLevels: ClosedRange<Int32> = 1...3

    /// The engine for `output.compression_engine` (auto, isal or zlib) and `level`; nil with
    /// a message when the choice cannot be honoured.
    public static func choose(_ setting: String, level: Int32) -> Result<CompressionEngine, ChoiceError> {
        switch setting {
        case "auto":
            return .success(isalBuiltIn && isalLevels.contains(level) ? .isal : .zlib)
        case "zlib":
            return .success(.zlib)
        case "isal":
            guard isalBuiltIn else {
                return .failure(ChoiceError(description: "isal: this build of Tailship has no ISA-L (built without libisal-dev, or with TAILSHIP_ISAL=0); use auto or zlib"))
            }
            guard isalLevels.contains(level) else {
                return .failure(ChoiceError(description: "isal takes compression_level 1 to 3 (got \(level)); use zlib or auto for 4 to 9"))
            }
            return .success(.isal)
        default:
            return .failure(ChoiceError(description: "must be auto, isal or zlib (got \(setting))"))
        }
    }

    public struct ChoiceError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }
}
