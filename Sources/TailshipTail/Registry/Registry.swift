import TailshipBasics
import Foundation
import Synchronization

/// In-memory registry shared by the reader (which tracks files) and the
/// acknowledger (which commits offsets). `RegistryStore` persists snapshots.
public final class Registry: Sendable {
    struct EpochKey: Hashable {
        var identity: FileIdentity
        var epoch: UInt64
    }

    fileprivate struct State {
        var entries: [FileIdentity: RegistryEntry] = [:]
        /// Bumped when a file restarts at an earlier offset (truncation), so acks
        /// for bytes sent before the restart cannot move the new offset.
        var epochs: [FileIdentity: UInt64] = [:]
        /// The epoch at which each file's current content began: tracking the same content again
        /// (a file reopened, a pin found) starts a new epoch but not new content.
        var contentSince: [FileIdentity: UInt64] = [:]
        /// Acks for a file's old contents that now count for their copy (copytruncate).
        var redirects: [EpochKey: EpochKey] = [:]
        var retired: [RegistryEntry] = []
        /// Retired entries of this process that acks still in flight count for, by the epoch they carry.
        var retiredEpochs: [EpochKey: String] = [:]
        var generation: UInt64 = 0
        var createdAt: Double
    }

    private let state: Mutex<State>
    /// When this registry was first created (now, for a new one): unknown backups older
    /// than this predate Tailship (history). Moved back by `backdate(before:)`.
    public var createdAt: Double { state.withLock { $0.createdAt } }
    static let retiredLimit = 64
    /// Epochs of one retired content whose acks still count for it (a file reopened more often is rare).
    static let retiredEpochSpan = 64
    /// True when there was no registry before this process.
    public let isNew: Bool

    public init(_ document: RegistryDocument? = nil, now: Double = Date().timeIntervalSince1970) {
        var s = State(createdAt: document?.createdAt ?? now)
        for entry in document?.entries ?? [] {
            s.entries[entry.identity] = entry
        }
        s.retired = document?.retired ?? []
        state = Mutex(s)
        isNew = document == nil
    }

    /// All entries (a copy).
    public var entries: [RegistryEntry] { state.withLock { Array($0.entries.values) } }

    /// Entries whose fingerprint covers a prefix of `head` (the file's first bytes,
    /// decompressed for .gz), best first: fully shipped, then furthest offset.
    public func entries(matchingHead head: [UInt8]) -> [RegistryEntry] {
        let all = state.withLock { Array($0.entries.values) + $0.retired }
        var matches: [RegistryEntry] = []
        for e in all where e.fingerprintLength > 0 && e.fingerprintLength <= head.count {
            guard let fp = e.fingerprintValue else { continue }
            let hash = head.withUnsafeBytes { FNV1a.hash(UnsafeRawBufferPointer(rebasing: $0[0..<e.fingerprintLength])) }
            if hash == fp.hash { matches.append(e) }
        }
        return matches.sorted { a, b in
            if a.isFullyShipped != b.isFullyShipped { return a.isFullyShipped }
            return a.offset > b.offset
        }
    }

    /// Counts acks for `identity`'s contents at `epoch` for `copy` instead: after
    /// copytruncate, the copy holds those bytes at the same offsets.
    public func redirect(_ identity: FileIdentity, epoch: UInt64, to copy: FileIdentity, copyEpoch: UInt64) {
        state.withLock {
            $0.redirects[EpochKey(identity: identity, epoch: epoch)] = EpochKey(identity: copy, epoch: copyEpoch)
        }
    }

    /// Records that a file is final with `size` bytes.
    public func finalize(_ identity: FileIdentity, size: UInt64) {
        state.withLock {
            guard var e = $0.entries[identity] else { return }
            e.finalSize = size
            $0.entries[identity] = e
            $0.generation &+= 1
        }
    }

    /// Moves the history line before a file's modification time: a file found at a first
    /// start but not reached yet (max_open_files) is still shipped after a restart, not
    /// taken for history.
    public func backdate(before modified: Double) {
        state.withLock {
            guard modified <= $0.createdAt else { return }
            $0.createdAt = modified - 0.001
            $0.generation &+= 1
        }
    }

    /// Changes since creation; compare to decide whether a flush is due.
    public var generation: UInt64 { state.withLock { $0.generation } }

    public func entry(for identity: FileIdentity) -> RegistryEntry? {
        state.withLock { $0.entries[identity] }
    }

    /// Records a file being followed, replacing any entry of a reused inode.
    /// Returns the epoch that commits for this file must carry.
    @discardableResult
    public func track(_ entry: RegistryEntry) -> UInt64 {
        state.withLock {
            let epoch = ($0.epochs[entry.identity] ?? 0) &+ 1
            $0.epochs[entry.identity] = epoch
            // The same content only when the entry's full fingerprint is unchanged: anything else starts new content.
            let old = $0.entries[entry.identity]
            let oldSince = $0.contentSince[entry.identity]
            if old?.fingerprint != entry.fingerprint || old?.fingerprintLength != entry.fingerprintLength
                || entry.fingerprintLength < Fingerprint.distinguishingLength || $0.contentSince[entry.identity] == nil {
                $0.contentSince[entry.identity] = epoch
            }
            if let old = $0.entries[entry.identity], old.finalSize != nil, old.fingerprint != entry.fingerprint {
                // Inode reused: remember the old file's content for its later .gz.
                Self.retire(old, epochs: min(oldSince ?? epoch - 1, epoch - 1)...(epoch - 1), in: &$0)
            }
            $0.entries[entry.identity] = entry
            $0.generation &+= 1
            return epoch
        }
    }

    /// Keeps `identity`'s entry aside for its content only, before its inode is
    /// tracked again for other content (truncated or reused): a copy or .gz of
    /// the old content found later resumes where it got to, and acks still in
    /// flight for it move its offset.
    public func retire(_ identity: FileIdentity) {
        state.withLock {
            guard let old = $0.entries.removeValue(forKey: identity) else { return }
            let epoch = $0.epochs[identity] ?? 0
            Self.retire(old, epochs: min($0.contentSince[identity] ?? epoch, epoch)...epoch, in: &$0)
            $0.generation &+= 1
        }
    }

    /// `epochs`: every epoch this content was read at (tracked again while the same), so acks
    /// of any of them still count for it, here and in each output's document.
    private static func retire(_ old: RegistryEntry, epochs: ClosedRange<UInt64>, in s: inout State) {
        // An empty fingerprint says nothing about content: nothing could match it.
        guard old.fingerprintLength > 0 else { return }
        s.retired.removeAll { $0.identity == old.identity && $0.fingerprint == old.fingerprint }
        s.retired.append(old)
        for epoch in epochs.suffix(retiredEpochSpan) {
            s.retiredEpochs[EpochKey(identity: old.identity, epoch: epoch)] = old.fingerprint
        }
        if s.retired.count > retiredLimit {
            s.retired.removeFirst(s.retired.count - retiredLimit)
            let kept = s.retired
            s.retiredEpochs = s.retiredEpochs.filter { key, fp in kept.contains { $0.identity == key.identity && $0.fingerprint == fp } }
        }
    }

    /// Updates path, fingerprint and last-seen time without moving the offset.
    public func touch(_ identity: FileIdentity, path: String? = nil, fingerprint: Fingerprint? = nil, size: UInt64? = nil, now: Double) {
        state.withLock {
            guard var e = $0.entries[identity] else { return }
            if let path { e.path = path }
            if let size { e.size = size }
            e.lastSeen = now
            if let fp = fingerprint, fp.length > e.fingerprintLength {
                e.fingerprintLength = fp.length
                e.fingerprint = RegistryEntry.hex(fp.hash)
            }
            $0.entries[identity] = e
            $0.generation &+= 1
        }
    }

    /// Moves a file's committed offset forward (never back: acks arrive in order).
    public func commit(_ identity: FileIdentity, epoch: UInt64, offset: UInt64, now: Double) {
        state.withLock {
            // After copytruncate, acks for the old contents count for the copy.
            let key = $0.redirects[EpochKey(identity: identity, epoch: epoch)] ?? EpochKey(identity: identity, epoch: epoch)
            let identity = key.identity
            if $0.epochs[identity] != key.epoch {
                // Acks for content retired meanwhile (its inode tracked again) move the retired entry.
                guard let fp = $0.retiredEpochs[key],
                      let i = $0.retired.firstIndex(where: { $0.identity == identity && $0.fingerprint == fp }),
                      offset > $0.retired[i].offset else { return }
                $0.retired[i].offset = offset
                $0.generation &+= 1
                return
            }
            guard var e = $0.entries[identity], offset > e.offset else { return }
            e.offset = offset
            e.lastSeen = now
            $0.entries[identity] = e
            $0.generation &+= 1
        }
    }

    /// Sets a file's offset back, e.g. to 0 after copytruncate; returns the new epoch.
    public func reset(_ identity: FileIdentity, offset: UInt64) -> UInt64 {
        state.withLock {
            let epoch = ($0.epochs[identity] ?? 0) &+ 1
            $0.epochs[identity] = epoch
            $0.contentSince[identity] = epoch
            if var e = $0.entries[identity] {
                e.offset = offset
                $0.entries[identity] = e
                $0.generation &+= 1
            }
            return epoch
        }
    }

    public func remove(_ identity: FileIdentity) {
        state.withLock {
            if $0.entries.removeValue(forKey: identity) != nil { $0.generation &+= 1 }
        }
    }

    /// Drops entries not seen since `cutoff` unless `keep` says they are in use.
    public func prune(olderThan cutoff: Double, keep: Set<FileIdentity>) {
        state.withLock {
            let stale = $0.entries.filter { $0.value.lastSeen < cutoff && !keep.contains($0.key) }
            for key in stale.keys { $0.entries[key] = nil }
            if !stale.isEmpty { $0.generation &+= 1 }
        }
    }

    /// The snapshot with each entry's current epoch and the epoch its current content began at,
    /// and which retired content each earlier epoch read (taken together).
    func snapshotWithContent() -> ContentSnapshot {
        state.withLock { ContentSnapshot(document: $0.document, epochs: $0.epochs, contentSince: $0.contentSince, retiredEpochs: $0.retiredEpochs) }
    }

    struct ContentSnapshot {
        var document: RegistryDocument
        var epochs: [FileIdentity: UInt64]
        var contentSince: [FileIdentity: UInt64]
        /// Fingerprint of the retired content read at each (identity, epoch).
        var retiredEpochs: [EpochKey: String]
    }

    public func snapshot() -> (document: RegistryDocument, generation: UInt64) {
        state.withLock { ($0.document, $0.generation) }
    }
}

extension Registry.State {
    var document: RegistryDocument {
        let sorted = entries.values.sorted { ($0.device, $0.inode) < ($1.device, $1.inode) }
        return RegistryDocument(createdAt: createdAt, entries: sorted, retired: retired.isEmpty ? nil : retired)
    }
}
