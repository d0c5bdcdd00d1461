import TailshipBasics
import Foundation
import TailshipTestSupport
import Logging
import Testing
@testable import TailshipTail

/// Records complete lines with their file and end offset.
final class LineRecorder: TailHandler {
    var lines: [(path: String, text: String, end: UInt64)] = []
    var oversize = 0

    func handle(_ piece: FramedPiece, from follower: Follower) {
        switch piece {
        case .line(let b, let end): lines.append((follower.path, String(decoding: b, as: UTF8.self), end))
        case .oversizeEnd: oversize += 1
        case .oversizePart: break
        }
    }
}

/// `gzip FILE`: FILE.gz replaces FILE, as logrotate and lumberjack leave it.
func gzipFile(_ path: String) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["gzip", path]
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
}

func append(_ text: String, to path: String) {
    let handle = FileHandle(forWritingAtPath: path) ?? {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)!
    }()
    handle.seekToEndOfFile()
    handle.write(Data(text.utf8))
    handle.closeFile()
}

@Suite struct TailerTests {
    let logger = Logger(label: "test")

    @Test func readsRenamedFileToItsEndThenTheNewFile() throws {
        let dir = TempDirectory()
        let log = dir.file("k8s_audit.log")
        append("a1\na2\n", to: log)
        let tailer = Tailer(options: TailOptions(patterns: [log]), registry: Registry(), logger: logger)
        let rec = LineRecorder()
        tailer.poll(rec)
        #expect(rec.lines.map(\.text) == ["a1", "a2"])

        // Written after our last read, then renamed away before we look again.
        append("a3\n", to: log)
        try FileManager.default.moveItem(atPath: log, toPath: dir.file("k8s_audit-2026-11-26T21-53-32.123.log"))
        append("b1\n", to: log)
        tailer.poll(rec)
        tailer.poll(rec)
        #expect(rec.lines.map(\.text) == ["a1", "a2", "a3", "b1"])
        #expect(tailer.followers.count == 1)
    }

    @Test func resumesAtCommittedOffset() throws {
        let dir = TempDirectory()
        let log = dir.file("app.log")
        append(String(repeating: "x", count: 2000) + "\nsecond\nthird\n", to: log)
        let registry = Registry()
        do {
            let tailer = Tailer(options: TailOptions(patterns: [log]), registry: registry, logger: logger)
            let rec = LineRecorder()
            tailer.poll(rec)
            #expect(rec.lines.count == 3)
            let id = tailer.followers[0].identity
            registry.commit(id, epoch: tailer.followers[0].epoch, offset: rec.lines[0].end, now: 1)
        }
        let restarted = Tailer(options: TailOptions(patterns: [log]), registry: Registry(registry.snapshot().document), logger: logger)
        let rec = LineRecorder()
        restarted.poll(rec)
        #expect(rec.lines.map(\.text) == ["second", "third"])
    }

    /// Records lines and the identity and epoch of the file each came from.
    final class SourceRecorder: TailHandler {
        var lines: [(text: String, end: UInt64, identity: FileIdentity, epoch: UInt64, path: String)] = []
        func handle(_ piece: FramedPiece, from follower: Follower) {
            if case .line(let b, let end) = piece {
                lines.append((String(decoding: b, as: UTF8.self), end, follower.identity, follower.epoch, follower.path))
            }
        }
    }

    final class LostFiles: TailObserver, @unchecked Sendable {
        var paths: [String] = []
        func fileLost(path: String, unshippedBytes: UInt64?) { paths.append(path) }
    }

    @Test func aFileResumedInsideItsGzipInAnEarlierRunIsNotReportedLost() throws {
        let dir = TempDirectory()
        let log = dir.file("k8s_audit.log")
        let lines = (0..<50).map { "line \($0) " + String(repeating: "x", count: 100) }
        append(lines.map { $0 + "\n" }.joined(), to: log)
        let registry = Registry()
        do {
            let tailer = Tailer(options: TailOptions(patterns: [log]), registry: registry, logger: logger)
            let rec = LineRecorder()
            tailer.poll(rec)
            registry.commit(tailer.followers[0].identity, epoch: tailer.followers[0].epoch, offset: rec.lines[9].end, now: 1)
        }
        // While stopped: rotated, gzipped (the plain copy removed), a new live file.
        let backup = dir.file("k8s_audit-2026-11-27T05-00-00.000.log")
        try FileManager.default.moveItem(atPath: log, toPath: backup)
        // The new live file is made while the old inode still exists, so it cannot reuse its number.
        append("new 1\n", to: log)
        try gzipFile(backup)
        var second = Registry(registry.snapshot().document)
        do {
            let lost = LostFiles()
            let tailer = Tailer(options: TailOptions(patterns: [log]), registry: second, observer: lost, logger: logger)
            let rec = SourceRecorder()
            tailer.poll(rec)
            tailer.poll(rec)
            #expect(rec.lines.first?.text == lines[10])
            #expect(lost.paths.isEmpty)
            // Part of the .gz is acknowledged, then the process dies again.
            let gz = try #require(rec.lines.first { $0.path.hasSuffix(".gz") })
            #expect(gz.text == lines[10])
            second.commit(gz.identity, epoch: gz.epoch, offset: rec.lines[9].end, now: 2)
        }
        second = Registry(second.snapshot().document)
        let lost = LostFiles()
        let tailer = Tailer(options: TailOptions(patterns: [log]), registry: second, observer: lost, logger: logger)
        let rec = LineRecorder()
        tailer.poll(rec)
        tailer.poll(rec)
        // The original inode is gone, but its content is being read from the .gz: nothing was lost.
        #expect(lost.paths.isEmpty)
        #expect(rec.lines.first?.text == lines[20])
    }

    @Test func reusedInodeWithOtherContentStartsAtZero() throws {
        let dir = TempDirectory()
        let log = dir.file("app.log")
        append("original line\n", to: log)
        var st = stat()
        stat(log, &st)
        // A registry entry for this inode whose fingerprint belongs to other bytes.
        let registry = Registry(RegistryDocument(entries: [RegistryEntry(
            identity: FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)),
            fingerprint: Fingerprint(length: 14, hash: 12345), path: log, offset: 10, lastSeen: 0)]))
        let tailer = Tailer(options: TailOptions(patterns: [log]), registry: registry, logger: logger)
        let rec = LineRecorder()
        tailer.poll(rec)
        #expect(rec.lines.map(\.text) == ["original line"])
    }

    @Test func startAtEndSkipsExistingContentOnly() throws {
        let dir = TempDirectory()
        let log = dir.file("app.log")
        append("old\n", to: log)
        let tailer = Tailer(options: TailOptions(patterns: [log], startAtEnd: true), registry: Registry(), logger: logger)
        let rec = LineRecorder()
        tailer.poll(rec)
        append("new\n", to: log)
        tailer.poll(rec)
        #expect(rec.lines.map(\.text) == ["new"])
    }

    @Test func truncationRestartsAtZero() throws {
        let dir = TempDirectory()
        let log = dir.file("app.log")
        append("one\ntwo\n", to: log)
        let tailer = Tailer(options: TailOptions(patterns: [log]), registry: Registry(), logger: logger)
        let rec = LineRecorder()
        tailer.poll(rec)
        truncate(log, 0)
        append("x\n", to: log)
        tailer.poll(rec)  // notices the truncation
        tailer.poll(rec)
        #expect(rec.lines.map(\.text) == ["one", "two", "x"])
    }

    @Test func globFindsNewFiles() throws {
        let dir = TempDirectory()
        let tailer = Tailer(options: TailOptions(patterns: [dir.file("*.log")]), registry: Registry(), logger: logger)
        let rec = LineRecorder()
        tailer.poll(rec)
        append("hello\n", to: dir.file("a.log"))
        append("ignored\n", to: dir.file("a.txt"))
        tailer.poll(rec)
        #expect(rec.lines.map(\.text) == ["hello"])
    }
}
