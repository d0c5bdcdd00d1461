import TailshipBasics
import Foundation
import TailshipTestSupport
import Testing
@testable import TailshipTail

@Suite struct RegistryStoreTests {
    func entry(_ inode: UInt64, offset: UInt64) -> RegistryEntry {
        RegistryEntry(identity: FileIdentity(device: 1, inode: inode), fingerprint: Fingerprint(length: 10, hash: 42),
                      path: "/var/log/k8s_audit.log", offset: offset, lastSeen: 1000)
    }

    /// One output's document, as the daemon saves it.
    func set(_ document: RegistryDocument) -> RegistrySet { RegistrySet(outputs: ["default": document]) }

    @Test func savesAndLoadsExactly() throws {
        let dir = TempDirectory()
        let store = RegistryStore(path: dir.file("registry.json"))
        #expect(try store.load() == nil)
        let doc = RegistryDocument(entries: [entry(7, offset: 1234), entry(8, offset: 99)])
        try store.save(set(doc))
        #expect(try store.load() == set(doc))
        // Mode 0600: offsets are not secret, but paths can be.
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func crashBetweenWriteAndRenameKeepsPreviousCopy() throws {
        let dir = TempDirectory()
        let store = RegistryStore(path: dir.file("registry.json"))
        let good = RegistryDocument(entries: [entry(7, offset: 500)])
        try store.save(set(good))
        // A crash after the temp file was (partly) written but before rename.
        try Data("{\"version\":1,\"entries\":[{\"dev".utf8).write(to: URL(fileURLWithPath: store.temporaryPath))
        #expect(try store.load() == set(good))
        // The next save replaces the leftover temp file.
        let newer = RegistryDocument(entries: [entry(7, offset: 900)])
        try store.save(set(newer))
        #expect(try store.load() == set(newer))
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

    @Test func keepsThePreviousCopyAndFallsBackToItWhenTheRegistryIsCorrupt() throws {
        let dir = TempDirectory()
        let store = RegistryStore(path: dir.file("registry.json"))
        let first = RegistryDocument(entries: [entry(7, offset: 500)])
        let second = RegistryDocument(entries: [entry(7, offset: 900)])
        try store.save(set(first))
        try store.save(set(second))
        #expect(try RegistryStore(path: store.previousPath).load() == set(first))
        // Truncated in the middle, as a full disk or a bad block might leave it.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: store.path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: store.path))
        let (document, recovered) = try store.loadRecovering(now: 1000)
        #expect(document == set(first))
        #expect(recovered?.contains("previous good copy") == true)
        #expect(FileManager.default.fileExists(atPath: store.path + ".corrupt-1000"))
        #expect(!FileManager.default.fileExists(atPath: store.path))
        // The next save does not make the corrupt file the fallback.
        try store.save(set(second))
        #expect(try RegistryStore(path: store.previousPath).load() == set(first))
        #expect(try store.load() == set(second))
    }

    @Test func aChecksumCatchesAChangedNumber() throws {
        let dir = TempDirectory()
        let store = RegistryStore(path: dir.file("registry.json"))
        try store.save(set(RegistryDocument(entries: [entry(7, offset: 123456)])))
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(text.contains("\"checksum\""))
        try text.replacingOccurrences(of: "123456", with: "923456").write(toFile: store.path, atomically: true, encoding: .utf8)
        let error = #expect(throws: RegistryError.self) { try store.load() }
        #expect(error?.isCorruption == true)
        #expect(error?.description.contains("checksum") == true)
    }

    @Test func withoutAGoodCopyTheErrorNamesTheWayOut() throws {
        let dir = TempDirectory()
        let store = RegistryStore(path: dir.file("registry.json"))
        try Data("garbage\u{0}\u{1}".utf8).write(to: URL(fileURLWithPath: store.path))
        let error = #expect(throws: RegistryError.self) { try store.loadRecovering() }
        #expect(error?.description.contains("--registry-reset") == true)
        #expect(error?.description.contains("no good previous copy") == true)
        // Nothing is moved or deleted.
        #expect(FileManager.default.fileExists(atPath: store.path))
        // A registry that was never written is not an error.
        #expect(try RegistryStore(path: dir.file("other.json")).loadRecovering().document == nil)
        // Reset moves it aside.
        #expect(store.reset(now: 5) == store.path + ".reset-5")
        #expect(try store.loadRecovering().document == nil)
    }

    /// Version 1 (today's file before outputs had names) is read as `legacy`, written back as version 2.
    @Test func aVersionOneFileIsReadForMigrationAndWrittenAsVersionTwo() throws {
        let dir = TempDirectory()
        let store = RegistryStore(path: dir.file("registry.json"))
        let old = RegistryDocument(createdAt: 5, entries: [entry(7, offset: 1234)])
        var checked = old
        checked.checksum = try RegistryStore.checksum(old)
        try RegistryStore.encode(checked).write(to: URL(fileURLWithPath: store.path))
        let loaded = try #require(try store.load())
        #expect(loaded.legacy == old && loaded.outputs.isEmpty)
        #expect(loaded.document(for: "siem") == old && loaded.document(for: "archive") == old)
        try store.save(RegistrySet(outputs: ["siem": old, "archive": old]))
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(text.contains("\"version\":2"))
        let again = try #require(try store.load())
        #expect(again.legacy == nil && again.outputs.keys.sorted() == ["archive", "siem"])
        // An output new to a version-2 file has no offsets of its own: it starts at start_at.
        #expect(again.document(for: "falco") == nil)
    }

    @Test func anUnknownVersionIsRefusedByName() throws {
        let dir = TempDirectory()
        let store = RegistryStore(path: dir.file("registry.json"))
        try Data("{\"version\":3,\"outputs\":{}}".utf8).write(to: URL(fileURLWithPath: store.path))
        let error = #expect(throws: RegistryError.self) { try store.load() }
        #expect(error?.description.contains("version 3") == true)
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
