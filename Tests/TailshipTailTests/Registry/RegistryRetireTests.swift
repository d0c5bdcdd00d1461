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
}
