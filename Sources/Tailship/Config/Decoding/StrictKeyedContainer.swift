/// A mapping's keys for `StrictDecoder`: each key asked for is noted, and a
/// `ConfigSection`'s property names are looked up as their YAML keys.
struct StrictKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let base: KeyedDecodingContainer<AnyKey>
    let ledger: KeyLedger
    let mapping: String
    let mapsKeys: Bool

    var codingPath: [CodingKey] { base.codingPath }

    var allKeys: [Key] {
        base.allKeys.compactMap { Key(stringValue: $0.stringValue) }
    }

    /// The key as written in the file, noted as asked for.
    private func fileKey(_ key: Key) -> AnyKey {
        let name = mapsKeys ? ConfigKeyName.yaml(key.stringValue) : key.stringValue
        ledger.used(name, in: mapping)
        return AnyKey(stringValue: name)
    }

    func contains(_ key: Key) -> Bool { base.contains(fileKey(key)) }
    func decodeNil(forKey key: Key) throws -> Bool { try base.decodeNil(forKey: fileKey(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try StrictDecoder.value(T.self, from: base.superDecoder(forKey: fileKey(key)), ledger: ledger)
    }

    private func primitive<T: Decodable>(_ key: Key) throws -> T { try base.decode(T.self, forKey: fileKey(key)) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try primitive(key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try primitive(key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try primitive(key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try primitive(key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try primitive(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try primitive(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try primitive(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try primitive(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try primitive(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try primitive(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try primitive(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try primitive(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try primitive(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try primitive(key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try StrictDecoder(base: base.superDecoder(forKey: fileKey(key)), ledger: ledger, mapsKeys: false).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try StrictDecoder(base: base.superDecoder(forKey: fileKey(key)), ledger: ledger, mapsKeys: false).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { try base.superDecoder() }
    func superDecoder(forKey key: Key) throws -> Decoder {
        StrictDecoder(base: try base.superDecoder(forKey: fileKey(key)), ledger: ledger, mapsKeys: false)
    }
}
