import TailshipBasics
import Testing
@testable import TailshipTail

/// An inode tracked again for other content keeps its old entry aside, and acks
/// still in flight for the old content move that entry (a later .gz of it is then
/// known as shipped, not read again).
@Suite struct RegistryRetireTests {
    let id = FileIdentity(device: 1, inode: 42)
    let oldHead = Array("{\"auditID\":\"old\"}\n".utf8)
    let newHead = Array("{\"auditID\":\"new\"}\n".utf8)

    @Test func acksInFlightForAReusedInodeCountForTheRetiredContent() {
        let registry = Registry()
        let epoch = registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: oldHead), path: "a", offset: 0, lastSeen: 0))
        registry.finalize(id, size: 100)
        registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: newHead), path: "b", offset: 0, lastSeen: 0))
        registry.commit(id, epoch: epoch, offset: 100, now: 1)
        #expect(registry.entry(for: id)?.offset == 0)
        let old = registry.entries(matchingHead: oldHead)
        #expect(old.count == 1 && old[0].isFullyShipped)
    }

    @Test func retireKeepsTheContentAndItsAcks() {
        let registry = Registry()
        let epoch = registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: oldHead), path: "a", offset: 0, lastSeen: 0))
        registry.commit(id, epoch: epoch, offset: 10, now: 1)
        registry.retire(id)
        #expect(registry.entry(for: id) == nil)
        let newEpoch = registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: []), path: "a", offset: 0, lastSeen: 0))
        registry.commit(id, epoch: epoch, offset: 30, now: 2)
        registry.commit(id, epoch: newEpoch, offset: 5, now: 2)
        #expect(registry.entries(matchingHead: oldHead).map(\.offset) == [30])
        #expect(registry.entry(for: id)?.offset == 5)
        // Kept across a restart, like any retired entry.
        #expect(Registry(registry.snapshot().document).entries(matchingHead: oldHead).map(\.offset) == [30])
    }

    /// copytruncate's copy finished, compressed and deleted, its inode taken by the next
    /// copy, and only then the acks for its bytes arrive (redirected from the live file):
    /// they move the retired entry, so the first copy's .gz is known as shipped.
    @Test func redirectedAcksReachACopyWhoseInodeWasReused() {
        let registry = Registry()
        let live = FileIdentity(device: 1, inode: 7)
        let liveEpoch = registry.track(RegistryEntry(identity: live, fingerprint: Fingerprint(head: oldHead), path: "x.log", offset: 0, lastSeen: 0))
        let copyEpoch = registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: oldHead), path: "x.log.1", offset: 0, lastSeen: 0))
        registry.redirect(live, epoch: liveEpoch, to: id, copyEpoch: copyEpoch)
        registry.finalize(id, size: 100)
        registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: newHead), path: "x.log.2", offset: 0, lastSeen: 0))
        registry.commit(live, epoch: liveEpoch, offset: 100, now: 1)
        #expect(registry.entry(for: id)?.offset == 0)
        #expect(registry.entries(matchingHead: oldHead).contains { $0.identity == id && $0.isFullyShipped })
    }
}
