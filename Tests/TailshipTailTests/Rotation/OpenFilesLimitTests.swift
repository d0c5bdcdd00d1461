import Logging
import TailshipBasics
import Testing
@testable import TailshipTail

/// Found by the in-process model test run with `max_open_files: 1` (seed 20263551):
/// at start-up a file waiting for a free slot was neither open nor seen, so its
/// registry entry was reported lost and removed, and the file was then read again
/// from its start (every line shipped twice, and a false loss counted).
@Suite struct OpenFilesLimitTests {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    final class Lost: TailObserver, @unchecked Sendable {
        var files: [String] = []
        func fileLost(path: String, unshippedBytes: UInt64?) { files.append(path) }
    }

    @Test func aFileWaitingForASlotAtStartIsNeitherLostNorReadAgain() throws {
        let fs = MemoryFileSystem()
        let time = ManualTime()
        let live = "/var/log/k8s_audit.log"
        fs.append(Array((0..<4).map { "line \($0)\n" }.joined().utf8), to: live)
        var options = TailOptions(patterns: [live])
        options.maxOpenFiles = 1
        let registry = Registry(nil, now: time.wall)
        let first = Tailer(options: options, registry: registry, logger: logger, fileSystem: fs, time: time)
        let out = CopyHoldingNothingNewTests.Lines()
        first.poll(out)
        let last = try #require(out.read.last)
        registry.commit(last.identity, epoch: last.epoch, offset: last.end, now: time.wall)
        // Stopped; a rotated backup appears that takes the one slot at the next start.
        time.advance(1)
        fs.advanceClock(nanoseconds: 1_000_000_000)
        fs.append(Array("backup line\n".utf8), to: "/var/log/k8s_audit.log.1")
        let lost = Lost()
        let second = Tailer(options: options, registry: Registry(registry.snapshot().document, now: time.wall), observer: lost,
                            logger: logger, fileSystem: fs, time: time)
        let again = CopyHoldingNothingNewTests.Lines()
        for _ in 0..<4 {
            time.advance(1)
            second.poll(again)
        }
        #expect(lost.files.isEmpty)
        #expect(again.read.map(\.text) == ["backup line"])
    }

    /// Seed 20261239 with `max_open_files: 2`: at a first start, backups present then but
    /// left for later by the limit were judged by their age against the new registry, found
    /// older, and skipped as history; their lines were never shipped.
    /// Three logrotate backups (`backup 1` the oldest) and a live file, found at a first
    /// start with two slots.
    static func threeBackupsAndTwoSlots() -> (MemoryFileSystem, ManualTime, TailOptions) {
        let fs = MemoryFileSystem()
        let time = ManualTime()
        for n in 1...3 { fs.append(Array("backup \(n)\n".utf8), to: "/var/log/k8s_audit.log.\(4 - n)") }
        fs.append(Array("live\n".utf8), to: "/var/log/k8s_audit.log")
        time.advance(5)
        var options = TailOptions(patterns: ["/var/log/k8s_audit.log"])
        options.maxOpenFiles = 2
        return (fs, time, options)
    }

    @Test func backupsWaitingForASlotAtAFirstStartAreShipped() {
        let (fs, time, options) = Self.threeBackupsAndTwoSlots()
        let tailer = Tailer(options: options, registry: Registry(nil, now: time.wall), logger: logger, fileSystem: fs, time: time)
        let out = CopyHoldingNothingNewTests.Lines()
        for _ in 0..<6 {
            time.advance(1)
            tailer.poll(out)
        }
        #expect(out.read.map(\.text) == ["backup 1", "backup 2", "backup 3", "live"])
    }

    /// Seed 20262326 with `max_open_files: 2`: the process stopped before a backup found
    /// at its first start got a slot; the registry it wrote did not know the backup, which
    /// was older than the registry and so taken for history at the next start.
    @Test func aBackupNotReachedBeforeAStopIsShippedAfterTheRestart() {
        let (fs, time, options) = Self.threeBackupsAndTwoSlots()
        let registry = Registry(nil, now: time.wall)
        let first = Tailer(options: options, registry: registry, logger: logger, fileSystem: fs, time: time)
        let out = CopyHoldingNothingNewTests.Lines()
        first.poll(out)
        #expect(out.read.map(\.text) == ["backup 1", "backup 2"])
        for line in out.read { registry.commit(line.identity, epoch: line.epoch, offset: line.end, now: time.wall) }
        // Stopped here: the registry written knows the first two backups only.
        time.advance(60)
        let second = Tailer(options: options, registry: Registry(registry.snapshot().document, now: time.wall), logger: logger,
                            fileSystem: fs, time: time)
        let again = CopyHoldingNothingNewTests.Lines()
        for _ in 0..<4 {
            time.advance(1)
            second.poll(again)
        }
        #expect(again.read.map(\.text) == ["backup 3", "live"])
    }
}
