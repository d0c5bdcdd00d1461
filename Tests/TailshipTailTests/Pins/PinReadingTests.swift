import Foundation
import Logging
import Testing
import TailshipBasics
@testable import TailshipTail
import TailshipTestSupport

/// After a restart, a pin whose original is gone is read as a copy of it: from the
/// committed offset (never from the hole before its copied tail), under an identity
/// no log file can have, and released once acknowledged to its end.
@Suite struct PinReadingTests {
    /// Lines with the identity and epoch their acknowledgement goes to.
    final class AckRecorder: TailHandler {
        var lines: [(path: String, text: String, end: UInt64, identity: FileIdentity, epoch: UInt64)] = []
        func handle(_ piece: FramedPiece, from follower: Follower) {
            if case .line(let b, let end) = piece {
                lines.append((follower.path, String(decoding: b, as: UTF8.self), end, follower.identity, follower.epoch))
            }
        }
    }

    let logger = Logger(label: "test")

    @Test func aPinIsReadAsItsOriginalFromTheCommittedOffsetAndReleasedOnceAcknowledged() throws {
        let dir = TempDirectory()
        let live = dir.file("audit.log"), rotated = dir.file("audit.log.1"), pins = dir.file("state/pins")
        let text = (0..<3000).map { "{\"kind\":\"Event\",\"auditID\":\"p-\(String(format: "%05d", $0))\"}\n" }
        append(text.joined(), to: rotated)
        append("{\"kind\":\"Event\",\"auditID\":\"live\"}\n", to: live)
        let original = try PosixFileSystem().status(rotated).get().identity
        // A first run read the rotated file and had its first 1,000 lines acknowledged.
        var options = TailOptions(patterns: [live])
        options.pinDirectory = pins
        let first = Registry(nil, now: Date().timeIntervalSince1970 - 3600)
        let reader = Tailer(options: options, registry: first, logger: logger)
        let firstRun = AckRecorder()
        _ = reader.poll(firstRun)
        let line1000 = try #require(firstRun.lines.first { $0.text.contains("p-00999") })
        let acked = line1000.end
        first.commit(original, epoch: line1000.epoch, offset: acked, now: 1)
        let registry = Registry(first.snapshot().document)
        let keeper = PinKeeper(directory: PinDirectory(path: pins), options: options, maxBytes: 1 << 30, registry: registry, logger: logger)
        #expect(keeper.start() == nil)
        #expect(keeper.scan().pinnedFiles == 1)
        #expect(PinDirectory(path: pins).list().first?.from == acked)
        // Stopped; the rotator deletes the file; started again.
        try FileManager.default.removeItem(atPath: rotated)
        let restarted = Tailer(options: options, registry: registry, logger: logger)
        let rec = AckRecorder()
        _ = restarted.poll(rec)
        _ = restarted.poll(rec)
        let fromPin = rec.lines.filter { $0.path.hasPrefix(pins) }
        #expect(fromPin.map(\.text) == text.dropFirst(1000).map { String($0.dropLast()) })
        let own = try PosixFileSystem().status(try #require(PinDirectory(path: pins).list().first).path).get().identity
        #expect(fromPin.allSatisfy { $0.identity == Tailer.pinIdentity(own) && $0.identity != own })
        // Acknowledged to its end: the pin goes.
        let last = try #require(fromPin.last)
        registry.commit(last.identity, epoch: last.epoch, offset: last.end, now: 2)
        registry.finalize(last.identity, size: last.end)
        #expect(registry.entry(for: last.identity)?.isFullyShipped == true)
        #expect(keeper.scan().pinnedFiles == 0)
        #expect(PinDirectory(path: pins).list().isEmpty)
    }
}
