import Foundation
import Yams

/// Decodes the configuration through Yams, strictly: a `ConfigSection`'s keys are
/// mapped from camelCase once (`ConfigKeyName`), `Duration` is read as `500ms`,
/// `30s`, `5m`, `1h` or seconds, and every key of the file that no property asked
/// for is an error naming its path. Nothing per type: the sections' decoding is synthesized.
struct StrictDecoder: Decoder {
    let base: Decoder
    let ledger: KeyLedger
    /// Whether the value being decoded is a `ConfigSection` (its keys are property names).
    let mapsKeys: Bool

    var codingPath: [CodingKey] { base.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

    /// Decodes `T` from YAML text.
    static func decode<T: ConfigSection>(_ type: T.Type, from yaml: String) throws -> T {
        let ledger = KeyLedger()
        let root = try YAMLDecoder().decode(Root<T>.self, from: yaml, userInfo: [Root<T>.ledgerKey: ledger])
        if let unknown = ledger.firstUnknown() {
            throw DecodingError.dataCorrupted(.init(codingPath: unknown, debugDescription: "unknown key"))
        }
        return root.value
    }

    /// Decodes `T` from the value `decoder` is at.
    static func value<T: Decodable>(_ type: T.Type, from decoder: Decoder, ledger: KeyLedger) throws -> T {
        if T.self == Duration.self {
            return try DurationValue(from: decoder).duration as! T
        }
        return try T(from: StrictDecoder(base: decoder, ledger: ledger, mapsKeys: T.self is any ConfigSection.Type))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let container = try base.container(keyedBy: AnyKey.self)
        let id = ledger.opened(path: codingPath, present: container.allKeys.map(\.stringValue))
        return KeyedDecodingContainer(StrictKeyedContainer<Key>(base: container, ledger: ledger, mapping: id, mapsKeys: mapsKeys))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        StrictUnkeyedContainer(base: try base.unkeyedContainer(), ledger: ledger)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer {
        try base.singleValueContainer()
    }
}

/// The document: hands Yams' decoder to `StrictDecoder`.
private struct Root<T: ConfigSection>: Decodable {
    static var ledgerKey: CodingUserInfoKey { CodingUserInfoKey(rawValue: "tailship.ledger")! }
    let value: T

    init(from decoder: Decoder) throws {
        let ledger = decoder.userInfo[Self.ledgerKey] as! KeyLedger
        value = try StrictDecoder.value(T.self, from: decoder, ledger: ledger)
    }
}
