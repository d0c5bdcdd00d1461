import Foundation
import Logging
import Testing
import TailshipBasics
@testable import TailshipTail
import TailshipTestSupport

/// Pins are copies nothing else can see: the original's link count never changes,
/// only the unacknowledged tail (and the head) take disk, and a copy taken while
/// its rotator still writes the file is brought up to its length.
@Suite struct PinCopyTests {
    let dir = TempDirectory()
    var live: String { dir.file("audit.log") }
    var pinDir: String { dir.file("state/pins") }

    func links(_ path: String) -> UInt64 {
        var st = stat()
        stat(path, &st)
        return UInt64(st.st_nlink)
    }

    func lines(_ count: Int, tag: String) -> [UInt8] {
        Array((0..<count).map { "{\"kind\":\"Event\",\"auditID\":\"\(tag)-\(String(format: "%06d", $0))\",\"stage\":\"ResponseComplete\"}\n" }.joined().utf8)
    }

    func keeper(_ registry: Registry, legacy: String? = nil) -> PinKeeper {
        let keeper = PinKeeper(directory: PinDirectory(path: pinDir), options: TailOptions(patterns: [live]), maxBytes: 1 << 30,
                               cursors: { [.init(name: "default", registry: registry)] }, logger: Logger(label: "test"),
                               legacyDirectory: legacy)
        #expect(keeper.start() == nil)
        return keeper
    }

    @Test func aPinCopiesTheHeadAndTheUnacknowledgedTailAndLeavesTheOriginalAlone() throws {
        _ = FileManager.default.createFile(atPath: live, contents: Data("live\n".utf8))
        let rotated = dir.file("audit.log.1")
        let bytes = lines(20_000, tag: "r")
        _ = FileManager.default.createFile(atPath: rotated, contents: Data(bytes))
        let registry = Registry(nil, now: Date().timeIntervalSince1970 - 3600)
        let id = try PosixFileSystem().status(rotated).get().identity
        // Acknowledged up to a line end near three quarters of the file.
        let acked = UInt64(bytes[0..<(bytes.count * 3 / 4)].lastIndex(of: UInt8(ascii: "\n"))! + 1)
        registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: Array(bytes.prefix(Fingerprint.maxLength))),
                                     path: rotated, offset: 0, lastSeen: 0))
        registry.commit(id, epoch: 1, offset: acked, now: 0)
        let report = keeper(registry).scan()
        #expect(report.pinnedFiles == 1)
        #expect(links(rotated) == 1, "the rotator sees one link, as without Tailship")
        let pin = try #require(PinDirectory(path: pinDir).list().first)
        #expect(pin.identity == id && pin.from == acked && pin.size == UInt64(bytes.count))
        let copy = Array(FileManager.default.contents(atPath: pin.path)!)
        #expect(copy.count == bytes.count)
        #expect(copy.prefix(Fingerprint.maxLength) == bytes.prefix(Fingerprint.maxLength))
        #expect(copy[Int(acked)...] == bytes[Int(acked)...])
        #expect(pin.diskBytes < UInt64(bytes.count) / 2, "a sparse copy: \(pin.diskBytes) of \(bytes.count) bytes on disk")
        #expect(report.pinnedBytes == pin.diskBytes)
    }

    @Test func aCopyTakenWhileItsRotatorWritesIsBroughtUpToItsLength() throws {
        _ = FileManager.default.createFile(atPath: live, contents: Data("live\n".utf8))
        let rotated = dir.file("audit.log.1")
        let bytes = lines(2_000, tag: "g")
        _ = FileManager.default.createFile(atPath: rotated, contents: Data(bytes[0..<50_000]))
        let keeper = keeper(Registry(nil, now: Date().timeIntervalSince1970 - 3600))
        #expect(keeper.scan().pinnedFiles == 1)
        // logrotate's copy goes on, then the file is deleted (compressed away, rotated out).
        let handle = try #require(FileHandle(forWritingAtPath: rotated))
        handle.seekToEndOfFile()
        handle.write(Data(bytes[50_000...]))
        try handle.close()
        #expect(keeper.scan().pinnedFiles == 1)
        try FileManager.default.removeItem(atPath: rotated)
        let pins = PinDirectory(path: pinDir).list()
        #expect(pins.count == 1)
        #expect(pins.first.map { Array(FileManager.default.contents(atPath: $0.path)!) } == bytes)
    }

    @Test func anEarlierVersionsHardLinksAreAdoptedAsCopies() throws {
        _ = FileManager.default.createFile(atPath: live, contents: Data("live\n".utf8))
        let rotated = dir.file("audit.log.1")
        let bytes = lines(100, tag: "l")
        _ = FileManager.default.createFile(atPath: rotated, contents: Data(bytes))
        let id = try PosixFileSystem().status(rotated).get().identity
        let legacy = dir.file(".tailship-pins")
        try FileManager.default.createDirectory(atPath: legacy, withIntermediateDirectories: true)
        #expect(link(rotated, "\(legacy)/\(id.device)-\(id.inode)-audit.log.1") == 0)
        try FileManager.default.removeItem(atPath: rotated)
        let keeper = keeper(Registry(nil, now: Date().timeIntervalSince1970 - 3600), legacy: legacy)
        #expect(!FileManager.default.fileExists(atPath: legacy), "the links are gone, and their directory")
        let pins = keeper.pins()
        #expect(pins.count == 1 && pins.first?.identity == id && pins.first?.originalName == "audit.log.1")
        #expect(pins.first.map { Array(FileManager.default.contents(atPath: $0.path)!) } == bytes)
    }

    @Test func aCopyThatFailsIsReportedOnceAndTheOriginalIsUntouched() throws {
        _ = FileManager.default.createFile(atPath: live, contents: Data("live\n".utf8))
        let rotated = dir.file("audit.log.1")
        _ = FileManager.default.createFile(atPath: rotated, contents: Data(lines(10, tag: "f")))
        let keeper = keeper(Registry(nil, now: Date().timeIntervalSince1970 - 3600))
        // The pin directory is gone and a plain file took its place: no copy can be made there.
        try FileManager.default.removeItem(atPath: pinDir)
        _ = FileManager.default.createFile(atPath: pinDir, contents: Data())
        let first = keeper.scan(), second = keeper.scan()
        #expect(first.failures == 1 && first.pinnedFiles == 0)
        #expect(second.failures == 0, "each file is reported once")
        #expect(links(rotated) == 1 && Array(FileManager.default.contents(atPath: rotated)!) == lines(10, tag: "f"))
    }

    @Test func pinNamesCarryIdentityTailAndContentAndEarlierNamesAreKnown() {
        let id = FileIdentity(device: 2049, inode: 77)
        let name = Pin.name(for: id, from: 4096, head: Array("abc".utf8), originalName: "k8s_audit-2026-11-29T10-00-00.000.log.gz")
        let parsed = Pin.parse(name)
        #expect(parsed?.identity == id && parsed?.from == 4096 && parsed?.legacy == false)
        #expect(parsed?.originalName == "k8s_audit-2026-11-29T10-00-00.000.log.gz")
        let old = Pin.parse("2049-77-k8s_audit-2026-11-29T10-00-00.000.log")
        #expect(old?.legacy == true && old?.originalName == "k8s_audit-2026-11-29T10-00-00.000.log" && old?.from == 0)
        #expect(Pin.parse("2049-77-audit.log.1")?.originalName == "audit.log.1")
        #expect(Pin.parse("notapin") == nil)
    }
}
