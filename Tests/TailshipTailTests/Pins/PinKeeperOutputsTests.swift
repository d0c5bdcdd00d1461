import Foundation
import Logging
import Testing
import TailshipBasics
@testable import TailshipTail
import TailshipTestSupport

/// Pins with several outputs: a file is kept while any output lacks bytes of it, released once
/// every output has it, and a pin released over budget is lost only to the outputs behind.
@Suite struct PinKeeperOutputsTests {
    let dir = TempDirectory()
    var live: String { dir.file("audit.log") }
    var pinDir: String { dir.file(".tailship-pins") }
    let fast = Registry(nil, now: Date().timeIntervalSince1970 - 3600)
    let slow = Registry(nil, now: Date().timeIntervalSince1970 - 3600)

    func write(_ path: String, _ text: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    func keeper(maxBytes: UInt64 = 1 << 30) -> PinKeeper {
        let (fast, slow) = (fast, slow)
        let keeper = PinKeeper(directory: PinDirectory(path: pinDir), options: TailOptions(patterns: [live]), maxBytes: maxBytes,
                               cursors: { [.init(name: "fast", registry: fast), .init(name: "slow", registry: slow)] },
                               logger: Logger(label: "test"))
        #expect(keeper.start() == nil)
        return keeper
    }

    func ship(_ path: String, in registry: Registry) {
        let bytes = Array(FileManager.default.contents(atPath: path)!)
        let id = try! PosixFileSystem().status(path).get().identity
        registry.track(RegistryEntry(identity: id, fingerprint: Fingerprint(head: Array(bytes.prefix(Fingerprint.maxLength))),
                                     path: path, offset: 0, lastSeen: 0))
        registry.finalize(id, size: UInt64(bytes.count))
        registry.commit(id, epoch: 1, offset: UInt64(bytes.count), now: 0)
    }

    @Test func keptWhileAnyOutputLacksItReleasedWhenAllHaveIt() {
        write(live, "live\n")
        let backup = dir.file("audit.log.1")
        write(backup, "rotated line\n")
        let keeper = keeper()
        ship(backup, in: fast)
        var report = keeper.scan()
        #expect(report.pinnedFiles == 1, "slow has not read it")
        #expect(report.backlogs["fast"]?.bytes == 5 && report.backlogs["slow"]?.bytes == 18)
        ship(backup, in: slow)
        report = keeper.scan()
        #expect(report.pinnedFiles == 0)
    }

    @Test func pinnedThenDeletedOverBudgetIsLostToTheSlowOutputAlone() throws {
        write(live, "live\n")
        let old = dir.file("audit.log.2")
        write(old, String(repeating: "o", count: 999) + "\n")
        // Older than the newer file, newer than the registries (not history).
        let then = Int(Date().timeIntervalSince1970) - 1800
        var times = [timespec(tv_sec: then, tv_nsec: 0), timespec(tv_sec: then, tv_nsec: 0)]
        utimensat(AT_FDCWD, old, &times, 0)
        let keeper = keeper(maxBytes: 1500)
        ship(old, in: fast)
        #expect(keeper.scan().pinnedFiles == 1)
        try FileManager.default.removeItem(atPath: old)
        let newer = dir.file("audit.log.1")
        write(newer, String(repeating: "n", count: 999) + "\n")
        let report = keeper.scan()
        #expect(report.pinnedFiles == 1 && PinDirectory(path: pinDir).list().map(\.originalName) == ["audit.log.1"])
        #expect(report.lost.map(\.output) == ["slow"])
        #expect(report.lost.first?.unshippedBytes == 1000 && report.lost.first?.path == "audit.log.2")
    }

    @Test func theVerdictOverOutputsIsTheFurthestBehind() {
        #expect(PinVerdict.furthestBehind([.shipped, .unshipped(5), .unshipped(9)]) == .unshipped(9))
        #expect(PinVerdict.furthestBehind([.shipped, .history]) == .shipped)
        #expect(PinVerdict.furthestBehind([.history, .history]) == .history)
        #expect(PinVerdict.furthestBehind([.unshipped(3), .history]) == .unshipped(3))
        #expect(PinVerdict.furthestBehind([]) == nil)
    }
}
