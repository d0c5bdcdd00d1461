import Foundation
import Logging
import Testing
import TailshipBasics
import TailshipShip
@testable import TailshipTail
import TailshipTestSupport

/// Pins taken, kept, released and budgeted in a real directory, with the registry deciding.
@Suite struct PinKeeperTests {
    let dir = TempDirectory()
    var live: String { dir.file("audit.log") }
    var pinDir: String { dir.file(".tailship-pins") }

    func write(_ path: String, _ text: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    func identity(_ path: String) -> FileIdentity {
        try! PosixFileSystem().status(path).get().identity
    }

    /// A registry older than every file here, so none of them is history.
    func keeper(maxBytes: UInt64 = 1 << 30, pinning: Bool = true) -> (PinKeeper, Registry) {
        let registry = Registry(nil, now: Date().timeIntervalSince1970 - 3600)
        let keeper = PinKeeper(directory: PinDirectory(path: pinDir), options: TailOptions(patterns: [live]), maxBytes: maxBytes,
                               registry: registry, logger: Logger(label: "test"), pinning: pinning)
        #expect(keeper.start() == nil)
        return (keeper, registry)
    }

    func ship(_ path: String, in registry: Registry) {
        let bytes = Array(FileManager.default.contents(atPath: path)!)
        let id = identity(path)
        registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: Array(bytes.prefix(Fingerprint.maxLength))),
                                     path: path, offset: 0, lastSeen: 0))
        registry.finalize(id, size: UInt64(bytes.count))
        registry.commit(id, epoch: 1, offset: UInt64(bytes.count), now: 0)
    }

    @Test func aBackupIsPinnedKeptWhenDeletedAndReleasedOnceShipped() throws {
        write(live, "live\n")
        write(dir.file("audit.log.1"), "rotated line one\nrotated line two\n")
        let (keeper, registry) = keeper()
        var report = keeper.scan()
        #expect(report.pinnedFiles == 1)
        let pins = PinDirectory(path: pinDir).list()
        #expect(pins.count == 1 && pins[0].originalName == "audit.log.1")
        // logrotate deletes it: the pin still holds the bytes.
        let pinned = pins[0]
        let id = identity(dir.file("audit.log.1"))
        try FileManager.default.removeItem(atPath: dir.file("audit.log.1"))
        report = keeper.scan()
        #expect(report.pinnedFiles == 1 && report.lost.isEmpty)
        #expect(String(decoding: FileManager.default.contents(atPath: pinned.path)!, as: UTF8.self).hasPrefix("rotated line one"))
        // Acknowledged to its end (read through the pin): released.
        ship(pinned.path, in: registry)
        #expect(pinned.identity == id && identity(pinned.path) != id, "a copy named by its original's identity")
        report = keeper.scan()
        #expect(report.pinnedFiles == 0)
        #expect(PinDirectory(path: pinDir).list().isEmpty)
    }

    @Test func aShippedBackupAndItsShippedGzipCopyAreNotPinned() throws {
        write(live, "live\n")
        let plain = "shipped line\n"
        write(dir.file("audit.log.1"), plain)
        let (keeper, registry) = keeper()
        ship(dir.file("audit.log.1"), in: registry)
        _ = FileManager.default.createFile(atPath: dir.file("audit.log.2.gz"), contents: Data(try Gzip.compress(Array(plain.utf8), level: 6)))
        #expect(keeper.scan().pinnedFiles == 0)
    }

    @Test func overBudgetTheOldestGoFirstAndAreLostOnlyWhenTheirOriginalIsGone() throws {
        write(live, "live\n")
        let old = dir.file("audit.log.2"), newer = dir.file("audit.log.1")
        write(old, String(repeating: "o", count: 999) + "\n")
        write(newer, String(repeating: "n", count: 999) + "\n")
        // Oldest by modification time.
        var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        utimensat(AT_FDCWD, old, &times, 0)
        let (keeper, registry) = keeper(maxBytes: 1500)
        _ = registry
        let report = keeper.scan()
        #expect(report.pinnedFiles == 1 && report.pinnedBytes == 1000)
        #expect(report.lost.isEmpty, "the released file is still at its own path")
        #expect(PinDirectory(path: pinDir).list().map(\.originalName) == ["audit.log.1"])
    }

    @Test func withoutPinsABackupDeletedUnreadIsReportedLostButNotOneCompressedFirst() throws {
        write(live, "live\n")
        let (keeper, _) = keeper(pinning: false)
        write(dir.file("audit.log.1"), "first file line\n")
        write(dir.file("audit.log.2"), "second file line\n")
        #expect(keeper.scan().lost.isEmpty)
        // audit.log.2 is compressed (same content, new name), audit.log.1 deleted.
        _ = FileManager.default.createFile(atPath: dir.file("audit.log.2.gz"),
                                       contents: Data(try Gzip.compress(Array("second file line\n".utf8), level: 6)))
        try FileManager.default.removeItem(atPath: dir.file("audit.log.2"))
        try FileManager.default.removeItem(atPath: dir.file("audit.log.1"))
        let lost = keeper.scan().lost
        #expect(lost.map(\.path) == [dir.file("audit.log.1")])
        #expect(lost.first?.unshippedBytes == 16)
        #expect(!FileManager.default.fileExists(atPath: pinDir))
    }

    @Test func aPinDirectoryOnAnotherFilesystemWorks() throws {
        let shm = "/dev/shm/tailship-pins-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: shm) }
        write(live, "live\n")
        write(dir.file("audit.log.1"), "rotated line\n")
        let keeper = PinKeeper(directory: PinDirectory(path: shm), options: TailOptions(patterns: [live]), maxBytes: 1 << 30,
                               registry: Registry(nil, now: Date().timeIntervalSince1970 - 3600), logger: Logger(label: "test"))
        #expect(keeper.start() == nil)
        #expect(keeper.scan().pinnedFiles == 1)
        let pins = PinDirectory(path: shm).list()
        #expect(pins.count == 1 && String(decoding: FileManager.default.contents(atPath: pins[0].path)!, as: UTF8.self) == "rotated line\n")
    }

    @Test func verdicts() {
        let head = Array("line one\n".utf8)
        var entry = RegistryEntry(identity: FileIdentity(device: 1, inode: 2), fingerprint: Fingerprint(head: head),
                                  path: "a", offset: 4, lastSeen: 0)
        func judge(_ e: RegistryEntry?, copies: [RegistryEntry] = [], modified: Double = 100) -> PinVerdict {
            PinVerdict.judge(head: head, contentLength: 9, modified: modified, entry: e, copies: copies,
                             registryCreatedAt: 50, shipHistory: false)
        }
        #expect(judge(entry) == .unshipped(5))
        // Shipped to its end as a copy (a pin read under its own identity): shipped.
        var copy = RegistryEntry(identity: FileIdentity(device: 1, inode: 3), fingerprint: Fingerprint(head: head), path: "pin", offset: 9, lastSeen: 0)
        copy.finalSize = 9
        #expect(judge(entry, copies: [entry, copy]) == .shipped)
        entry.finalSize = 9
        #expect(judge(entry) == .unshipped(5))
        entry.offset = 9
        #expect(judge(entry) == .shipped)
        #expect(judge(nil, copies: [entry]) == .shipped)
        #expect(judge(nil) == .unshipped(9))
        #expect(judge(nil, modified: 10) == .history)
        // An entry of another content under a reused inode says nothing.
        let other = RegistryEntry(identity: entry.identity, fingerprint: Fingerprint(head: Array("other\n".utf8)), path: "b", offset: 6, lastSeen: 0)
        #expect(judge(other) == .unshipped(9))
    }
}

/// Rotated files that vanish unread, inode reuse included.
@Suite struct LossWatchTests {
    func present(_ inode: UInt64, _ text: String, unshipped: UInt64 = 10, known: Bool = false) -> LossWatch.Present {
        .init(identity: FileIdentity(device: 1, inode: inode), path: "f\(inode)", head: Array(text.utf8), verdict: .unshipped(unshipped), known: known)
    }

    @Test func aFileWhoseInodeNowHoldsOtherContentIsGone() {
        var watch = LossWatch()
        #expect(watch.update([present(7, "first file\n")]) { _, _ in false }.isEmpty)
        // Deleted, and a new file got its inode before the next look.
        let lost = watch.update([present(7, "another file\n")]) { _, _ in false }
        #expect(lost.map(\.path) == ["f7"])
    }

    @Test func aFileThatGrewOrWasCompressedIsNotGone() {
        var watch = LossWatch()
        _ = watch.update([present(7, "first")]) { _, _ in false }
        #expect(watch.update([present(7, "first file\n")]) { _, _ in false }.isEmpty)
        #expect(watch.update([present(8, "first file\n")]) { _, _ in false }.isEmpty, "its .gz holds it")
        #expect(watch.update([]) { _, _ in true }.isEmpty, "the reader knows it")
    }
}
