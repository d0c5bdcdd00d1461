import TailshipBasics

/// copytruncate and other rewrites in place, as decisions.
extension RotationCore {
    /// A file that was live (even if renamed since) can have been truncated in place:
    /// shorter than what was read, or other first bytes. Backups and .gz files are not.
    static func isTruncated(phase: FilePhase, compressed: Bool, size: UInt64, readOffset: UInt64, headChanged: () -> Bool) -> Bool {
        guard !compressed, phase != .backup else { return false }
        return size < readOffset || headChanged()
    }

    /// Whether a backup starting with `head` is a copy of a file of which `fingerprint`
    /// was taken over `readHead`: it starts with those bytes, or, a copy shorter than
    /// them (a small file copied before the last lines read), is a prefix of them.
    static func isCopy(_ head: [UInt8], of fingerprint: Fingerprint, readHead: [UInt8]) -> Bool {
        if fingerprint.matches(head: head) { return true }
        return !head.isEmpty && head.count < fingerprint.length && readHead.count == fingerprint.length && readHead.starts(with: head)
    }

    /// How a copy of a truncated file of which `readOffset` bytes were read relates to
    /// it: `length` is how far its content reaches (at least `readOffset` when it gets there).
    static func copyMatch(readOffset: UInt64, length: UInt64) -> CopyMatch {
        length < readOffset ? .holdsNothingNew : .holdsTheRest
    }

    /// After a truncation: what the search for the copy found decides what follows.
    static func afterTruncation(copy: CopyMatch, fingerprint: Fingerprint) -> TruncationDecision {
        switch copy {
        case .holdsTheRest: return .readRestFromCopy
        case .holdsNothingNew: return .copyHoldsNothingNew
        case .notACopy: return fingerprint.length > 0 ? .waitForCopy : .nothingToWaitFor
        }
    }

    /// Waits for the copy of a truncated file; the oldest wait is dropped beyond 16.
    mutating func awaitCopy(_ awaited: AwaitedCopy) {
        awaitingCopy.append(awaited)
        if awaitingCopy.count > 16 { awaitingCopy.removeFirst() }
    }

    /// Truncated files whose copy never appeared: what they held beyond what was read is lost.
    mutating func expireAwaitedCopies(now: Double) -> [AwaitedCopy] {
        let expired = awaitingCopy.filter { now - $0.since > Self.copyWaitSeconds }
        awaitingCopy.removeAll { now - $0.since > Self.copyWaitSeconds }
        return expired
    }

    /// Whether a late copy's content reaches what was read of its truncated original.
    static func lateCopyHoldsNothingNew(_ awaited: AwaitedCopy, length: UInt64) -> Bool {
        length < awaited.offset
    }
}
