import Crypto

/// The secret of keyed hashes: the same value gives the same token under one key (a change
/// stays visible, a person stays recognisable), and nothing about the value without the key.
public struct RedactionKey: Sendable, Equatable {
    /// Shorter keys are refused: a guessable key would let anyone test candidate values.
    public static let minimumLength = 16
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) throws(RedactionKeyError) {
        guard bytes.count >= Self.minimumLength else {
            throw RedactionKeyError("the key has \(bytes.count) bytes; at least \(Self.minimumLength) are needed")
        }
        self.bytes = bytes
    }

    /// The first `hexDigits` hex digits of HMAC-SHA-256(key, value).
    public func token(of value: UnsafeRawBufferPointer, hexDigits: Int) -> [UInt8] {
        let mac = HMAC<SHA256>.authenticationCode(for: value, using: SymmetricKey(data: bytes))
        var out: [UInt8] = []
        out.reserveCapacity(hexDigits)
        let digits = Array("0123456789abcdef".utf8)
        for byte in mac {
            guard out.count < hexDigits else { break }
            out.append(digits[Int(byte >> 4)])
            if out.count < hexDigits { out.append(digits[Int(byte & 0x0F)]) }
        }
        return out
    }
}

public struct RedactionKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
