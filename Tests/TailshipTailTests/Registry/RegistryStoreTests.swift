import Foundation
import TailshipTestSupport
import Testing
@testable import TailshipTail

@Suite struct RegistryStoreTests {
    func entry(_ inode: UInt64, offset: UInt64) -> RegistryEntry {
        RegistryEntry(identity: FileIdentity(device: 1, inode: inode), fingerprint: Fingerprint(length: 10, hash: 42),
                      path: "/var/log/k8s_audit.log", offset: offset, lastSeen: 1000)
    }

    @Test func savesAndLoadsExactly() throws {
        let dir = TempDirectory()
        let store = RegistryStore(path: dir.file("registry.json"))
        #expect(try store.load() == nil)
        let doc = RegistryDocument(entries: [entry(7, offset: 1234), entry(8, offset: 99)])
        try store.save(doc)
        #expect(try store.load() == doc)
        // Mode 0600: offsets are not secret, but paths can be.
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func crashBetweenWriteAndRenameKeepsPreviousCopy() throws {
        let dir = TempDirectory()
        let store = RegistryStore(path: dir.file("registry.json"))
        let good = RegistryDocument(entries: [entry(7, offset: 500)])
        try store.save(good)
        // A crash after the temp file was (partly) written but before rename.
        try Data("{\"version\":1,\"entries\":[{\"dev".utf8).write(to: URL(fileURLWithPath: store.temporaryPath))
        #expect(try store.load() == good)
        // The next save replaces the leftover temp file.
        let newer = RegistryDocument(entries: [entry(7, offset: 900)])
        try store.save(newer)
        #expect(try store.load() == newer)
        #expect(!FileManager.default.fileExists(atPath: store.temporaryPath))
    }

    @Test func corruptRegistryIsAClearError() throws {
        let dir = TempDirectory()
        let store = RegistryStore(path: dir.file("registry.json"))
        try Data("{\"version\":1,\"entries\":[{\"device\":1,".utf8).write(to: URL(fileURLWithPath: store.path))
        let error = #expect(throws: RegistryError.self) { try store.load() }
        let message = error?.description ?? ""
        #expect(message.contains(store.path))
        #expect(message.contains("corrupt"))
    }

    @Test func commitsMoveForwardOnlyWithinEpoch() {
        let registry = Registry()
        let id = FileIdentity(device: 1, inode: 7)
        let epoch = registry.track(entry(7, offset: 0))
        registry.commit(id, epoch: epoch, offset: 100, now: 1)
        registry.commit(id, epoch: epoch, offset: 50, now: 1)
        #expect(registry.entry(for: id)?.offset == 100)
        // After truncation, acks for the old contents must not move the new offset.
        let newEpoch = registry.reset(id, offset: 0)
        registry.commit(id, epoch: epoch, offset: 200, now: 1)
        #expect(registry.entry(for: id)?.offset == 0)
        registry.commit(id, epoch: newEpoch, offset: 10, now: 1)
        #expect(registry.entry(for: id)?.offset == 10)
    }
}
