import Logging
import TailshipBasics
import Testing
@testable import TailshipTail

/// Two bugs the in-process model test found (seeds 20262114 and 900009146), each
/// made deterministic over the in-memory file system: logrotate copied the file,
/// the writer added a line that Tailship read, then the file was truncated, so the
/// copy holds less than what was read.
@Suite struct CopyHoldingNothingNewTests {
    static let live = "/var/log/k8s_audit.log"
    static let copy = "/var/log/k8s_audit.log.1"
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    final class Lines: TailHandler {
        var read: [(text: String, identity: FileIdentity, epoch: UInt64, end: UInt64)] = []
        func handle(_ piece: FramedPiece, from follower: Follower) {
            if case .line(let bytes, let end) = piece {
                read.append((String(decoding: bytes, as: UTF8.self), follower.identity, follower.epoch, end))
            }
        }
    }

    static func lines(_ range: Range<Int>) -> [UInt8] {
        Array(range.map { "line \($0)\n" }.joined().utf8)
    }

    /// The copy is shorter than the 1 KiB fingerprint: it was not recognised as the copy
    /// and was shipped again from its start as a new backup.
    @Test func aSmallFileCopiedBeforeItsLastLineIsNotShippedAgain() {
        let fs = MemoryFileSystem()
        let time = ManualTime()
        fs.append(Self.lines(0..<10), to: Self.live)
        let tailer = Tailer(options: TailOptions(patterns: [Self.live]), registry: Registry(nil, now: time.wall), logger: logger,
                            fileSystem: fs, time: time)
        let out = Lines()
        tailer.poll(out)
        let copied = fs.contents(Self.live)!
        fs.append(Self.lines(10..<11), to: Self.live)
        tailer.poll(out)
        fs.append(copied, to: Self.copy)
        fs.truncate(Self.live, to: 0)
        for _ in 0..<4 {
            time.advance(1)
            tailer.poll(out)
        }
        #expect(out.read.map(\.text) == (0..<11).map { "line \($0)" })
    }

    /// The copy was recorded as shipped to its end while the original's lines were still
    /// in flight: a crash before their acks lost them. Now the copy's entry starts at what
    /// was acknowledged and the acks in flight move it.
    @Test func linesInFlightWhenTheCopyHoldsNothingNewSurviveACrash() throws {
        let fs = MemoryFileSystem()
        let time = ManualTime()
        fs.append(Array(repeating: UInt8(ascii: "x"), count: 1100) + [0x0A] + Self.lines(0..<20), to: Self.live)
        let registry = Registry(nil, now: time.wall)
        let tailer = Tailer(options: TailOptions(patterns: [Self.live]), registry: registry, logger: logger, fileSystem: fs, time: time)
        let out = Lines()
        tailer.poll(out)
        // The first line (the padding) is acknowledged; the twenty others are in flight.
        let first = try #require(out.read.first)
        registry.commit(first.identity, epoch: first.epoch, offset: first.end, now: time.wall)
        fs.append(fs.contents(Self.live)!, to: Self.copy)
        fs.append(Self.lines(20..<21), to: Self.live)
        tailer.poll(out)
        fs.truncate(Self.live, to: 0)
        tailer.poll(out)
        let copyEntry = try #require(registry.entries.first { $0.path == Self.copy })
        #expect(copyEntry.offset == first.end, "the copy's entry starts at what was acknowledged")
        #expect(copyEntry.isFullyShipped == false)
        // kill -9 now: a new process from this registry reads the copy's unacknowledged lines again.
        let restarted = Tailer(options: TailOptions(patterns: [Self.live]), registry: Registry(registry.snapshot().document, now: time.wall),
                               logger: logger, fileSystem: fs, time: time)
        let again = Lines()
        restarted.poll(again)
        #expect(again.read.map(\.text) == (0..<20).map { "line \($0)" })
        // Without the crash, the acks in flight finish the copy.
        let last = try #require(out.read.last { $0.text == "line 19" })
        registry.commit(last.identity, epoch: last.epoch, offset: last.end, now: time.wall)
        #expect(registry.entries.first { $0.path == Self.copy }?.isFullyShipped == true)
    }
}
