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

    /// HMAC-SHA-256 keyed once (the key's padded blocks hashed once), then copied for each value.
    struct Hasher {
        let key: RedactionKey
        private let keyed: HMAC<SHA256>
        private static let digits = Array("0123456789abcdef".utf8)

        init(_ key: RedactionKey) {
            self.key = key
            keyed = HMAC<SHA256>(key: SymmetricKey(data: key.bytes))
        }

        /// The first `hexDigits` hex digits of HMAC-SHA-256(key, value).
        func token(of value: UnsafeRawBufferPointer, hexDigits: Int) -> [UInt8] {
            var mac = keyed
            mac.update(data: value)
            var out = [UInt8](repeating: 0, count: hexDigits)
            mac.finalize().withUnsafeBytes { digest in
                for i in 0..<hexDigits {
                    let byte = digest[i / 2]
                    out[i] = Self.digits[Int(i % 2 == 0 ? byte >> 4 : byte & 0x0F)]
                }
            }
            return out
        }
    }
}

public struct RedactionKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
