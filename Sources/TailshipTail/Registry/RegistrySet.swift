/// The registry file (version 2): one document of acknowledged offsets per output.
/// A version-1 file (one output, before outputs had names) is read as `legacy`
/// and belongs to every output configured at the first start after the upgrade.
public struct RegistrySet: Codable, Sendable, Equatable {
    public static let currentVersion = 2
    public var version: Int
    /// Each output's entries, by output name (the documents carry no checksum of their own).
    public var outputs: [String: RegistryDocument]
    /// FNV-1a (hex) of the set encoded without it.
    public var checksum: String?
    /// The one document of a version-1 file; never written.
    public var legacy: RegistryDocument?

    enum CodingKeys: String, CodingKey {
        case version, outputs, checksum
    }

    public init(outputs: [String: RegistryDocument]) {
        version = Self.currentVersion
        self.outputs = outputs
    }

    /// A version-1 file's contents, to be migrated.
    public init(migrating legacy: RegistryDocument) {
        self.init(outputs: [:])
        var document = legacy
        document.checksum = nil
        self.legacy = document
    }

    /// The output's offsets: its own, or a version-1 file's; nil for an output new to this registry.
    public func document(for output: String) -> RegistryDocument? {
        outputs[output] ?? legacy
    }

    /// The document when there is exactly one (one output, or a version-1 file).
    public var only: RegistryDocument? {
        if let legacy, outputs.isEmpty { return legacy }
        return outputs.count == 1 ? outputs.values.first : nil
    }
}
