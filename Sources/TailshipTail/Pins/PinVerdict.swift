import TailshipBasics

/// What one rotated file (or pin) holds, as far as pinning is concerned.
public enum PinVerdict: Sendable, Equatable {
    /// Bytes of content not acknowledged (decompressed bytes for a .gz): keep it pinned.
    case unshipped(UInt64)
    /// Every byte acknowledged, under this identity or as a copy of a file that was.
    case shipped
    /// Older than the registry and unknown to it: not shipped by design (history).
    case history

    /// Decides from the registry's view alone, so it can be tested without files:
    /// `entry` is the registry's entry for the file's identity, `copies` the entries
    /// whose fingerprint the file's first bytes match (a .gz or copy of them).
    public static func judge(head: [UInt8], contentLength: UInt64, modified: Double, entry: RegistryEntry?,
                             copies: [RegistryEntry], registryCreatedAt: Double, shipHistory: Bool) -> PinVerdict {
        // The same content shipped to the same length under another identity (a pin read
        // as a copy, a .gz of it) is shipped, whatever this identity's entry says.
        let copyShipped = copies.contains(where: { $0.isFullyShipped && $0.finalSize == contentLength })
        if let entry, describes(entry, head) {
            if entry.isFullyShipped || copyShipped { return .shipped }
            return .unshipped(contentLength > entry.offset ? contentLength - entry.offset : 0)
        }
        if copyShipped { return .shipped }
        if !shipHistory && modified < registryCreatedAt { return .history }
        let done = copies.map(\.offset).max() ?? 0
        return .unshipped(contentLength > done ? contentLength - done : 0)
    }

    /// Over several outputs: unshipped (the most bytes) while any output lacks some;
    /// shipped once every output has it (history counts as done for its output).
    public static func furthestBehind(_ verdicts: [PinVerdict]) -> PinVerdict? {
        var result: PinVerdict?
        for v in verdicts {
            switch (result, v) {
            case (.unshipped(let a)?, .unshipped(let b)): result = .unshipped(max(a, b))
            case (.unshipped?, _): break
            case (_, .unshipped): result = v
            case (.shipped?, _), (_, .shipped): result = .shipped
            default: result = v
            }
        }
        return result
    }

    /// Whether the entry's fingerprint is this content's (not a reused inode's).
    static func describes(_ entry: RegistryEntry, _ head: [UInt8]) -> Bool {
        guard let fp = entry.fingerprintValue else { return false }
        if fp.length == 0 { return true }
        guard fp.length <= head.count else { return false }
        return head.withUnsafeBytes { FNV1a.hash(UnsafeRawBufferPointer(rebasing: $0[0..<fp.length])) } == fp.hash
    }
}
