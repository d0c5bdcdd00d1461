import TailshipBasics
import Testing
@testable import TailshipTail

/// Several outputs acknowledging through one registry: its offset is what every member
/// reached, each member's document is what it alone reached, and one that leaves no
/// longer holds the others back. Checked against a model of acks kept apart from the code.
@Suite struct SharedCursorsTests {
    private func track(_ registry: Registry, _ inode: UInt64, at offset: UInt64 = 0) -> (FileIdentity, UInt64) {
        let id = FileIdentity(device: 1, inode: inode)
        // A head as long as a real one: two trackings of a file count as one content only past `Fingerprint.distinguishingLength`.
        let head = Array(("file \(inode) " + String(repeating: "x", count: 1024)).utf8)
        let epoch = registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: head), path: "f\(inode)", offset: offset, lastSeen: 0))
        return (id, epoch)
    }

    @Test func theRegistryMovesOnlyAsFarAsEveryMemberAndEachDocumentKeepsItsOwn() {
        let registry = Registry()
        let cursors = SharedCursors(registry: registry, members: ["a", "b"])
        let (id, epoch) = track(registry, 7)
        cursors.commit("a", identity: id, epoch: epoch, offset: 500, now: 1)
        #expect(registry.entry(for: id)?.offset == 0)
        cursors.commit("b", identity: id, epoch: epoch, offset: 300, now: 1)
        #expect(registry.entry(for: id)?.offset == 300)
        #expect(cursors.document(for: "a").entries.first?.offset == 500)
        #expect(cursors.document(for: "b").entries.first?.offset == 300)
        cursors.leave("b", now: 2)
        #expect(registry.entry(for: id)?.offset == 500)
        #expect(cursors.members == ["a"])
    }

    @Test func aMemberThatJoinsAtTheReadersPositionsHoldsTheOthersBackFromThereOnly() {
        let registry = Registry()
        let cursors = SharedCursors(registry: registry, members: ["a"])
        let (id, epoch) = track(registry, 8)
        cursors.commit("a", identity: id, epoch: epoch, offset: 100, now: 1)
        #expect(registry.entry(for: id)?.offset == 100)
        // "b" caught up on its own to 150 (the reader's position; "a" has 50 more in flight) and joins.
        cursors.join("b", at: [id: 150])
        #expect(cursors.members == ["a", "b"])
        #expect(cursors.document(for: "b").entries.first?.offset == 150)
        cursors.commit("a", identity: id, epoch: epoch, offset: 200, now: 1)
        #expect(registry.entry(for: id)?.offset == 150)
        cursors.commit("b", identity: id, epoch: epoch, offset: 260, now: 1)
        #expect(registry.entry(for: id)?.offset == 200)
    }

    /// A file tracked again with the same content (reopened, found as a pin) keeps each member's acks in its
    /// document; the registry's own offset moves only on acks of the current epoch, as with one output.
    @Test func trackingTheSameContentAgainKeepsEachMembersAcks() {
        let registry = Registry()
        let cursors = SharedCursors(registry: registry, members: ["a", "b"])
        let (id, first) = track(registry, 5)
        cursors.commit("a", identity: id, epoch: first, offset: 700, now: 1)
        let (_, second) = track(registry, 5)
        #expect(second != first)
        #expect(cursors.document(for: "a").entries.first?.offset == 700)
        cursors.commit("a", identity: id, epoch: second, offset: 800, now: 1)
        cursors.commit("b", identity: id, epoch: second, offset: 400, now: 1)
        #expect(registry.entry(for: id)?.offset == 400)
        #expect(cursors.document(for: "a").entries.first?.offset == 800)
    }

    /// An inode reused for other content does not inherit what a member acknowledged of the old one.
    @Test func anInodeReusedForOtherContentStartsAtItsOwnOffset() {
        let registry = Registry()
        let cursors = SharedCursors(registry: registry, members: ["a", "b"])
        let (id, first) = track(registry, 6)
        cursors.commit("a", identity: id, epoch: first, offset: 900, now: 1)
        registry.finalize(id, size: 900)
        let other = Array(("other content " + String(repeating: "y", count: 1024)).utf8)
        registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: other), path: "g", offset: 0, lastSeen: 0))
        #expect(cursors.document(for: "a").entries.first?.offset == 0)
    }

    /// A member let go acknowledges nothing, so the registry's own offset of a file stays where reading
    /// began; when the file's inode is then reused, the others' documents still hold what they acknowledged
    /// of its old content (acks of every epoch it was read at), or the next start reads it all again.
    @Test func retiredContentKeepsEachMembersAcksInItsDocument() {
        for reuse in [false, true] {
            let registry = Registry()
            let cursors = SharedCursors(registry: registry, members: ["a", "c"])
            let (id, first) = track(registry, 4)
            cursors.commit("a", identity: id, epoch: first, offset: 600, now: 1)
            let (_, second) = track(registry, 4)
            cursors.commit("a", identity: id, epoch: second, offset: 1000, now: 1)
            let fingerprint = try! #require(registry.entry(for: id)).fingerprint
            registry.finalize(id, size: 1000)
            if !reuse { registry.retire(id) }
            let other = Array(("other content " + String(repeating: "y", count: 1024)).utf8)
            registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: other), path: "g", offset: 0, lastSeen: 0))
            let retired = { (m: String) in cursors.document(for: m).retired?.first { $0.identity == id && $0.fingerprint == fingerprint }?.offset }
            #expect(retired("a") == 1000, "reuse \(reuse)")
            #expect(retired("c") == 0, "reuse \(reuse)")
            #expect(cursors.document(for: "a").entries.first?.offset == 0)
            // An ack of the first epoch, still in flight at the retirement, counts for the retired content too.
            cursors.commit("c", identity: id, epoch: first, offset: 300, now: 1)
            #expect(retired("c") == 300)
            #expect(registry.snapshot().document.retired?.first?.offset == 300)
        }
    }

    @Test func ackForAnEarlierEpochDoesNotMoveTheNewContent() {
        let registry = Registry()
        let cursors = SharedCursors(registry: registry, members: ["a", "b"])
        let (id, old) = track(registry, 9)
        let new = registry.reset(id, offset: 0)
        cursors.commit("a", identity: id, epoch: old, offset: 800, now: 1)
        cursors.commit("b", identity: id, epoch: old, offset: 800, now: 1)
        #expect(registry.entry(for: id)?.offset == 0)
        #expect(cursors.document(for: "a").entries.first?.offset == 0)
        cursors.commit("a", identity: id, epoch: new, offset: 40, now: 1)
        #expect(cursors.document(for: "a").entries.first?.offset == 40)
        #expect(registry.entry(for: id)?.offset == 0)
    }

    /// Random acks by three members over four files, members leaving: after every step the
    /// registry offset of each file equals the model's (the lowest member's ack once every
    /// member acked, else where tracking started) and each document gives its member's own.
    @Test func randomAcksAgreeWithTheModel() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let registry = Registry()
            var members = ["a", "b", "c"]
            let cursors = SharedCursors(registry: registry, members: members)
            let starts: [UInt64] = (0..<4).map { _ in UInt64.random(in: 0...50, using: &rng) }
            let files = (0..<4).map { track(registry, UInt64(100 + $0), at: starts[$0]) }
            var acks: [String: [UInt64?]] = ["a": [nil, nil, nil, nil], "b": [nil, nil, nil, nil], "c": [nil, nil, nil, nil]]
            var expected = starts
            for _ in 0..<40 {
                if members.count > 1 && Int.random(in: 0..<15, using: &rng) == 0 {
                    let gone = members.remove(at: Int.random(in: 0..<members.count, using: &rng))
                    cursors.leave(gone, now: 1)
                } else {
                    let m = ["a", "b", "c"].randomElement(using: &rng)!, f = Int.random(in: 0..<4, using: &rng)
                    let offset = max(acks[m]![f] ?? 0, starts[f]) + UInt64.random(in: 0...100, using: &rng)
                    cursors.commit(m, identity: files[f].0, epoch: files[f].1, offset: offset, now: 1)
                    acks[m]![f] = max(acks[m]![f] ?? 0, offset)
                }
                for f in 0..<4 {
                    let reached = members.map { acks[$0]![f] }
                    if !reached.contains(where: { $0 == nil }) { expected[f] = max(expected[f], reached.map { $0! }.min()!) }
                    #expect(registry.entry(for: files[f].0)?.offset == expected[f])
                    for m in ["a", "b", "c"] {
                        let own = cursors.document(for: m).entries.first { $0.identity == files[f].0 }?.offset
                        #expect(own == max(expected[f], acks[m]![f] ?? 0))
                    }
                }
            }
        }
    }
}
