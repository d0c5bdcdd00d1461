import TailshipBasics
import Foundation
import TailshipTestSupport
import Logging
import Testing
@testable import TailshipTail

/// The races behind issue 3's known issue, each made deterministic: the copy of a
/// truncated file compressed, or not there yet, when the truncation is noticed;
/// a file rotated and compressed before it was first read; a file truncated while
/// stopped whose copy shows up after the new content was taken up.
@Suite struct CopytruncateRaceTests {
    let logger = Logger(label: "test")

    /// Lines long enough that 20 of them outweigh the whole file gzipped.
    static func lines(_ range: Range<Int>) -> [String] {
        range.map { String(format: "{\"auditID\":\"m-%06d\",\"pad\":\"%@\"}", $0, String(repeating: "x", count: 80 + $0 % 50)) }
    }

    static func text(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }

    func poll(_ tailer: Tailer, _ rec: LineRecorder, times: Int = 4) {
        for _ in 0..<times { tailer.poll(rec) }
    }

    /// A log holding `initial`, and a tailer that has read it once.
    struct Scene {
        let dir = TempDirectory()
        let log: String
        let registry = Registry()
        let tailer: Tailer
        let rec = LineRecorder()

        init(_ initial: String, logger: Logger) {
            log = dir.file("k8s_audit.log")
            append(initial, to: log)
            tailer = Tailer(options: TailOptions(patterns: [log]), registry: registry, logger: logger)
            tailer.poll(rec)
        }

        /// What logrotate's copytruncate does: copy, truncate, and the writer goes on.
        func copytruncate(to copy: String, then text: String) throws {
            try FileManager.default.copyItem(atPath: log, toPath: dir.file(copy))
            truncate(log, 0)
            append(text, to: log)
        }
    }

    /// The copy was compressed before the truncation was noticed: its .gz is far smaller
    /// than the offset read, yet holds the unread lines (once taken for "nothing new").
    @Test func copyCompressedBeforeTheTruncationIsNoticed() throws {
        let s = Scene(Self.text(Self.lines(0..<50)), logger: logger)
        append(Self.text(Self.lines(50..<70)), to: s.log)
        try s.copytruncate(to: "k8s_audit.log.1", then: Self.text(Self.lines(70..<73)))
        try gzipFile(s.dir.file("k8s_audit.log.1"))
        let gzSize = try #require(try FileManager.default.attributesOfItem(atPath: s.dir.file("k8s_audit.log.1.gz"))[.size] as? Int)
        #expect(gzSize < Self.text(Self.lines(0..<50)).utf8.count)
        poll(s.tailer, s.rec)
        #expect(s.rec.lines.map(\.text) == Self.lines(0..<73))
    }

    /// The copy appears only after the truncation was noticed (logrotate still
    /// compressing, or a copy made under another name first): it is read from the offset reached.
    @Test func copyThatAppearsAfterTheTruncation() throws {
        let s = Scene(Self.text(Self.lines(0..<50)), logger: logger)
        let old = try #require(s.tailer.followers.first)
        let (identity, epoch) = (old.identity, old.epoch)
        append(Self.text(Self.lines(50..<70)), to: s.log)
        try s.copytruncate(to: "copy-in-progress", then: Self.text(Self.lines(70..<73)))
        poll(s.tailer, s.rec)
        #expect(s.rec.lines.map(\.text) == Self.lines(0..<50) + Self.lines(70..<73))
        try FileManager.default.moveItem(atPath: s.dir.file("copy-in-progress"), toPath: s.dir.file("k8s_audit.log.1"))
        try gzipFile(s.dir.file("k8s_audit.log.1"))
        poll(s.tailer, s.rec)
        #expect(s.rec.lines.map(\.text) == Self.lines(0..<50) + Self.lines(70..<73) + Self.lines(50..<70))
        // An ack for the old bytes, sent before the truncation, counts for the copy.
        let copy = try #require(s.registry.entries.first { $0.path.hasSuffix(".log.1.gz") })
        s.registry.commit(identity, epoch: epoch, offset: s.rec.lines[49].end, now: 1)
        #expect(s.registry.entry(for: copy.identity)?.offset == s.rec.lines[49].end)
    }

    /// A copy that appears late but holds no more than was read is not read again.
    @Test func lateCopyWithNothingNewIsNotReadAgain() throws {
        let s = Scene(Self.text(Self.lines(0..<50)), logger: logger)
        try s.copytruncate(to: "copy-in-progress", then: Self.text(Self.lines(50..<52)))
        poll(s.tailer, s.rec)
        try FileManager.default.moveItem(atPath: s.dir.file("copy-in-progress"), toPath: s.dir.file("k8s_audit.log.1"))
        poll(s.tailer, s.rec)
        #expect(s.rec.lines.map(\.text) == Self.lines(0..<52))
    }

    /// Rotated and compressed before the first read of a file opened empty: its
    /// fingerprint was still empty, so the .gz looked new and was read as well.
    @Test func fileRotatedAndCompressedBeforeItsFirstRead() throws {
        let s = Scene("", logger: logger)
        append(Self.text(Self.lines(0..<30)), to: s.log)
        let backup = s.dir.file("k8s_audit-2026-11-26T00-00-01.000.log")
        try FileManager.default.moveItem(atPath: s.log, toPath: backup)
        append(Self.text(Self.lines(30..<32)), to: s.log)
        try gzipFile(backup)
        poll(s.tailer, s.rec)
        #expect(s.rec.lines.map(\.text) == Self.lines(0..<32))
    }

    /// Truncated and rewritten while stopped, and the copy shows up only after the new
    /// content was taken up: the copy resumes at the committed offset (it was read from 0).
    @Test func truncatedWhileStoppedWithTheCopyFoundLater() throws {
        let s = Scene(Self.text(Self.lines(0..<50)), logger: logger)
        let f = try #require(s.tailer.followers.first)
        s.registry.commit(f.identity, epoch: f.epoch, offset: s.rec.lines[49].end, now: 1)
        // Stopped from here on.
        append(Self.text(Self.lines(50..<70)), to: s.log)
        try s.copytruncate(to: "copy-in-progress", then: Self.text(Self.lines(70..<73)))
        let tailer = Tailer(options: TailOptions(patterns: [s.log]), registry: Registry(s.registry.snapshot().document), logger: logger)
        let rec = LineRecorder()
        poll(tailer, rec)
        try FileManager.default.moveItem(atPath: s.dir.file("copy-in-progress"), toPath: s.dir.file("k8s_audit.log-20261126-1795651201"))
        poll(tailer, rec)
        #expect(rec.lines.map(\.text) == Self.lines(70..<73) + Self.lines(50..<70))
    }

    /// Copies and truncates the log while the first read's lines are being handed over:
    /// after the read, before the fingerprint could be taken from the file.
    final class TruncatingRecorder: TailHandler {
        let rec = LineRecorder()
        var action: (() -> Void)?
        /// The file and epoch the lines were read under, for their acks.
        var source: (FileIdentity, UInt64)?
        func handle(_ piece: FramedPiece, from follower: Follower) {
            rec.handle(piece, from: follower)
            source = source ?? (follower.identity, follower.epoch)
            action?()
            action = nil
        }
    }

    final class StopFlag: @unchecked Sendable {
        var on = false
    }

    /// A file opened empty, read once and truncated straight after: its registry entry
    /// must carry the fingerprint of what was read, or its copy is shipped again after a restart.
    @Test func truncatedRightAfterTheFirstReadKeepsTheFingerprintOfWhatWasRead() throws {
        let dir = TempDirectory()
        let log = dir.file("k8s_audit.log")
        append("", to: log)
        let registry = Registry()
        do {
            let tailer = Tailer(options: TailOptions(patterns: [log]), registry: registry, logger: logger)
            let handler = TruncatingRecorder()
            // The daemon is stopped right after this read, before it looks at the file again.
            let stop = StopFlag()
            tailer.shouldStop = { stop.on }
            tailer.poll(handler.rec)
            append(Self.text(Self.lines(0..<50)), to: log)
            handler.action = {
                try? FileManager.default.copyItem(atPath: log, toPath: dir.file("k8s_audit.log.1"))
                truncate(log, 0)
                append(Self.text(Self.lines(50..<53)), to: log)
                stop.on = true
            }
            tailer.poll(handler)
            #expect(handler.rec.lines.map(\.text) == Self.lines(0..<50))
            let (identity, epoch) = try #require(handler.source)
            registry.commit(identity, epoch: epoch, offset: handler.rec.lines[49].end, now: 1)
        }
        let tailer = Tailer(options: TailOptions(patterns: [log]), registry: Registry(registry.snapshot().document), logger: logger)
        let rec = LineRecorder()
        poll(tailer, rec)
        #expect(rec.lines.map(\.text) == Self.lines(50..<53))
    }

    /// logrotate's copy is seen while still empty, then filled, and the file truncated and
    /// written past the offset, all between two reads of one pass. The empty copy was taken
    /// for a new backup and read from 0 (lines again), and the next read returned the middle
    /// of the new content (a broken line). Fails without either the settling wait or the
    /// head check after each read.
    @Test func copyBeingWrittenWhileTheFileIsTruncatedAndRewritten() throws {
        let dir = TempDirectory()
        let log = dir.file("k8s_audit.log")
        let short = (0..<6).map { "{\"auditID\":\"s-\($0)\"}" }
        append(Self.text(Array(short[0..<5])), to: log)
        let tailer = Tailer(options: TailOptions(patterns: [log]), registry: Registry(), logger: logger)
        let handler = TruncatingRecorder()
        tailer.poll(handler.rec)
        // The copy exists, empty, when the next pass looks; it fills up while that pass reads the live file.
        // Newer than the registry by more than the file clock's granularity, or it would count as history.
        Thread.sleep(forTimeInterval: 0.02)
        let copy = dir.file("k8s_audit.log.1")
        append("", to: copy)
        append(Self.text([short[5]]), to: log)
        handler.action = {
            append(Self.text(short), to: copy)
            truncate(log, 0)
            append(Self.text(Self.lines(0..<2)), to: log)
        }
        tailer.poll(handler)
        for _ in 0..<4 {
            Thread.sleep(forTimeInterval: 0.06)
            tailer.poll(handler.rec)
        }
        #expect(handler.rec.lines.map(\.text) == short + Self.lines(0..<2))
    }
}
