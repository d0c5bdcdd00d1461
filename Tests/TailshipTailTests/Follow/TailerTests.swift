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
