import Synchronization
import TailshipBasics

/// Several outputs fed by one reader, tracking files in one registry. Each output
/// acknowledges on its own; the registry's offset for a file is what every member
/// has acknowledged (or where reading started, until each has), so the reader
/// decides from a position all members have passed. Each member's own offsets are
/// kept, so its document (what it alone has acknowledged) can be written, and a
/// member that leaves can go on from exactly there with a reader of its own.
public final class SharedCursors: Sendable {
    public let registry: Registry
    private struct State {
        var members: [String]
        /// Each member's furthest acknowledged offset, by the (identity, epoch) the batch carried.
        var acks: [Registry.EpochKey: [String: UInt64]] = [:]
        var generation: UInt64 = 0
    }
    private let state: Mutex<State>
    /// Acks kept before those of content no longer current are dropped.
    static let ackLimit = 4096

    public init(registry: Registry, members: [String]) {
        self.registry = registry
        state = Mutex(State(members: members))
    }

    public var members: [String] { state.withLock { $0.members } }

    /// Changes of any member's offsets or of the registry: the registry file is due.
    public var generation: UInt64 { registry.generation &+ state.withLock { $0.generation } }

    /// `member` acknowledged `identity`'s bytes up to `offset` (read at `epoch`).
    public func commit(_ member: String, identity: FileIdentity, epoch: UInt64, offset: UInt64, now: Double) {
        let key = Registry.EpochKey(identity: identity, epoch: epoch)
        let common: UInt64? = state.withLock { s in
            var acks = s.acks[key] ?? [:]
            guard offset > acks[member] ?? 0 else { return nil }
            acks[member] = offset
            s.acks[key] = acks
            s.generation &+= 1
            if s.acks.count > Self.ackLimit { dropStale(&s) }
            return Self.common(acks, members: s.members)
        }
        if let common { registry.commit(identity, epoch: epoch, offset: common, now: now) }
    }

    /// `member` no longer reads through this registry: the others' acks alone move it from now on.
    public func leave(_ member: String, now: Double) {
        let moves: [(Registry.EpochKey, UInt64)] = state.withLock { s in
            s.members.removeAll { $0 == member }
            s.generation &+= 1
            return s.acks.compactMap { key, acks in Self.common(acks, members: s.members).map { (key, $0) } }
        }
        for (key, offset) in moves { registry.commit(key.identity, epoch: key.epoch, offset: offset, now: now) }
    }

    /// `member` is fed by this registry's reader again, from these read offsets (the open files'):
    /// having sent everything, it has acknowledged exactly them.
    public func join(_ member: String, at positions: [FileIdentity: UInt64]) {
        let epochs = registry.snapshotWithContent().epochs
        state.withLock { s in
            if !s.members.contains(member) { s.members.append(member) }
            for (identity, offset) in positions {
                let key = Registry.EpochKey(identity: identity, epoch: epochs[identity] ?? 0)
                s.acks[key, default: [:]][member] = max(s.acks[key]?[member] ?? 0, offset)
            }
            s.generation &+= 1
        }
    }

    /// What `member` has acknowledged: the registry's entries, each at the member's own offset where it is further.
    public func document(for member: String) -> RegistryDocument {
        // Alone, a member's offsets are the registry's.
        if members == [member] { return registry.snapshot().document }
        let snapshot = registry.snapshotWithContent()
        // The member's furthest ack for each file's current content, whichever epoch it came under
        // (a file tracked again keeps its content, and what was acknowledged of it), and for each
        // retired content: while a member let go acknowledges nothing, the registry's own offsets
        // stay put, and a file whose inode is reused meanwhile keeps what the others acknowledged.
        var furthest: [FileIdentity: UInt64] = [:]
        var furthestRetired: [RetiredKey: UInt64] = [:]
        for (key, byMember) in state.withLock({ $0.acks }) {
            guard let mine = byMember[member] else { continue }
            if let first = snapshot.contentSince[key.identity], key.epoch >= first {
                furthest[key.identity] = max(furthest[key.identity] ?? 0, mine)
            } else if let fingerprint = snapshot.retiredEpochs[key] {
                let retired = RetiredKey(identity: key.identity, fingerprint: fingerprint)
                furthestRetired[retired] = max(furthestRetired[retired] ?? 0, mine)
            }
        }
        var own = snapshot.document
        own.entries = own.entries.map { entry in
            var e = entry
            if let mine = furthest[entry.identity], mine > e.offset { e.offset = mine }
            return e
        }
        own.retired = own.retired?.map { entry in
            var e = entry
            if let mine = furthestRetired[RetiredKey(identity: entry.identity, fingerprint: entry.fingerprint)], mine > e.offset { e.offset = mine }
            return e
        }
        return own
    }

    private struct RetiredKey: Hashable {
        var identity: FileIdentity
        var fingerprint: String
    }

    /// The offset every member has reached; nil while one has acknowledged nothing of this content.
    private static func common(_ acks: [String: UInt64], members: [String]) -> UInt64? {
        guard !members.isEmpty else { return nil }
        var lowest = UInt64.max
        for m in members {
            guard let a = acks[m] else { return nil }
            lowest = min(lowest, a)
        }
        return lowest
    }

    /// Acks for content read at an earlier epoch (truncated, reused, copied): its entry is retired or gone.
    private func dropStale(_ s: inout State) {
        let latest = s.acks.keys.reduce(into: [FileIdentity: UInt64]()) { $0[$1.identity] = max($0[$1.identity] ?? 0, $1.epoch) }
        s.acks = s.acks.filter { latest[$0.key.identity] == $0.key.epoch }
    }
}
