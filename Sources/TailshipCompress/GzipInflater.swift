/// Streaming gzip decompression, one member at a time, fed by the caller: the
/// common face of ISA-L's and zlib's inflate (`Inflaters.make` picks one).
public protocol GzipInflater: AnyObject {
    /// Compressed bytes supplied and not consumed yet.
    var pendingInput: Int { get }
    /// The next compressed bytes; they must stay valid until consumed (`pendingInput` 0).
    func supply(_ input: UnsafeRawBufferPointer)
    /// Decompresses into `output`.
    func inflate(into output: UnsafeMutableRawBufferPointer) -> InflateStep
    /// After `memberEnded`: the bytes that follow are another gzip member.
    func startNextMember()
}

public struct InflateStep: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// More input or output space is needed.
        case more
        /// A member's trailer (CRC and length) checked out.
        case memberEnded
        /// Not gzip, or a checksum failed.
        case corrupt
    }
    public var produced: Int
    public var state: State

    public init(produced: Int, state: State) {
        self.produced = produced
        self.state = state
    }
}

public enum Inflaters {
    /// ISA-L's inflate where it is built in (zlib's otherwise); `preferISAL` false forces zlib.
    public static func make(preferISAL: Bool = true) -> any GzipInflater {
        #if TAILSHIP_ISAL
        if preferISAL { return IsalInflater() }
        #endif
        return ZlibInflater()
    }

    /// Whether `inflater` is zlib's (the fallback needs no fallback).
    public static func isZlib(_ inflater: any GzipInflater) -> Bool { inflater is ZlibInflater }
}
