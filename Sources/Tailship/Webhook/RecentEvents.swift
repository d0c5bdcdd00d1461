import TailshipBasics
import TailshipJSON

/// The (auditID, stage) pairs of the last `capacity` events read, so an event that arrives
/// both by a file and by the webhook (a cluster running both audit backends) ships once.
/// A pair is kept as a 128-bit hash of its bytes (two FNV-1a hashes, forwards and backwards):
/// 100,000 of them take about 4 MB, and a false match is far less likely than a disk error.
/// Reader thread only.
final class RecentEvents {
    struct Key: Hashable {
        var forwards: UInt64
        var backwards: UInt64
    }

    /// About a minute of a busy apiserver's events, and several of the webhook's batch waits.
    static let defaultCapacity = 100_000
    let capacity: Int
    private var seen = Set<Key>()
    private var ring: [Key] = []
    private var next = 0

    init(capacity: Int = defaultCapacity) {
        self.capacity = max(1, capacity)
        seen.reserveCapacity(self.capacity)
    }

    /// False if an event with this line's auditID and stage was read within the window
    /// (the line is a copy); true otherwise, and the pair is remembered. Lines that are
    /// not audit events are never copies.
    func firstSighting(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let key = Self.key(line) else { return true }
        if seen.contains(key) { return false }
        if ring.count < capacity {
            ring.append(key)
        } else {
            seen.remove(ring[next])
            ring[next] = key
            next = (next + 1) % capacity
        }
        seen.insert(key)
        return true
    }

    /// The top-level auditID and stage of an event line.
    static func key(_ line: UnsafeRawBufferPointer) -> Key? {
        guard let base = line.baseAddress, !line.isEmpty else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self), n = line.count
        var id: JSONString?, stage: JSONString?
        let end = JSONScanner.forEachMember(p, JSONScanner.skipSpace(p, 0, n), n) { m in
            if JSONScanner.keyIs(m.key, "auditID", p) { id = JSONScanner.string(p, m) }
            if JSONScanner.keyIs(m.key, "stage", p) { stage = JSONScanner.string(p, m) }
        }
        guard end > 0, let id, let stage, id.count > 0 else { return nil }
        var bytes = Array(UnsafeBufferPointer(start: p + id.start, count: id.count))
        bytes.append(0)
        bytes += UnsafeBufferPointer(start: p + stage.start, count: stage.count)
        let forwards = bytes.withUnsafeBytes { FNV1a.hash($0) }
        bytes.reverse()
        return Key(forwards: forwards, backwards: bytes.withUnsafeBytes { FNV1a.hash($0) })
    }
}
