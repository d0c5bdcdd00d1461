import TailshipBasics

/// What the rotation core reads of the world beyond its own state: the
/// registry and the files open now. The driver answers; tests can stub it.
protocol RotationView {
    func entry(for identity: FileIdentity) -> RegistryEntry?
    /// Registry entries, retired ones too, whose fingerprint covers a prefix of `head`, best first.
    func entries(matchingHead head: [UInt8]) -> [RegistryEntry]
    /// When the registry was first created.
    var registryCreatedAt: Double { get }
    func isOpen(_ identity: FileIdentity) -> Bool
    /// An open plain file whose first bytes and `head` agree as far as both go (and that is not nothing).
    func openPlainFile(startingLike head: [UInt8]) -> (path: String, identity: FileIdentity)?
}
