import Foundation
import Logging
import TailshipTestSupport
import Testing
@testable import TailshipShip

@Suite struct FileSinkTests {
    func batch(_ n: Int, lines: [String]) -> Batch {
        Batch(sequence: UInt64(n), body: Array(lines.map { $0 + "\n" }.joined().utf8), events: lines.count, segments: [])
    }

    @Test func rollsFilesPastMaxSizeAndKeepsOrder() async throws {
        let dir = TempDirectory()
        let sink = FileSink(directory: dir.path, maxFileBytes: 200, logger: Logger(label: "test"))
        var all: [String] = []
        for n in 0..<20 {
            let lines = (0..<5).map { "batch \(n) line \($0) " + String(repeating: "z", count: n) }
            all += lines
            #expect(try await sink.deliver(batch(n, lines: lines)) == .acknowledged)
        }
        await sink.shutdown()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".ndjson.gz") }.sorted()
        #expect(names.count > 1)
        var joined: [UInt8] = []
        for name in names {
            let path = dir.file(name)
            joined += try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        #expect(joined == Array(all.map { $0 + "\n" }.joined().utf8))
    }

    /// Files rolled within one millisecond once got a "-1" name that sorted before its
    /// predecessor, and the one after reused the first name: CI saw the lines out of order.
    @Test func filesRolledInTheSameMillisecondStillSortInWriteOrder() async throws {
        let dir = TempDirectory()
        let sink = FileSink(directory: dir.path, maxFileBytes: 1, logger: Logger(label: "test"))
        for n in 0..<300 {
            _ = try await sink.deliver(batch(n, lines: ["line \(n)"]))
        }
        await sink.shutdown()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names.count == 300)
        var lines: [String] = []
        for name in names {
            let bytes = try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: dir.file(name)))))
            lines += String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        #expect(lines == (0..<300).map { "line \($0)" })
    }

    @Test func filesAreGzipAtTheGivenLevel() async throws {
        let dir = TempDirectory()
        let sink = FileSink(directory: dir.path, maxFileBytes: 1 << 20, level: 9, logger: Logger(label: "test"))
        _ = try await sink.deliver(batch(1, lines: ["plain"]))
        await sink.shutdown()
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.path).first)
        #expect(try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: dir.file(name))))) == Array("plain\n".utf8))
    }

    /// A process killed while appending leaves the start of a gzip member at the end of its file: the
    /// next sink cuts it back before writing, so Debian's `gzip -t` accepts every file (the cut batch
    /// was never acknowledged and comes again). Damage that is not a cut-short write is left alone.
    @Test func theNewestFileIsCutBackToItsLastWholeBatchBeforeWriting() async throws {
        let dir = TempDirectory()
        let old = dir.file("tailship-20000101T000000.000Z.ndjson.gz")
        let whole = try Gzip.compress(Array("one\n".utf8), level: 1) + Gzip.compress(Array("two\n".utf8), level: 1)
        let torn = try Gzip.compress(Array(String(repeating: "three ", count: 100).utf8), level: 1)
        try Data(whole + torn.prefix(torn.count / 2)).write(to: URL(fileURLWithPath: old))
        let sink = FileSink(directory: dir.path, maxFileBytes: 1 << 20, logger: Logger(label: "test"))
        _ = try await sink.deliver(batch(3, lines: ["three"]))
        await sink.shutdown()
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: old))) == whole)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names.count == 2)
        for name in names { #expect(try DebianGzip.accepts(dir.file(name)), "\(name)") }

        // Damage in the middle of the newest file: cutting there would lose whole batches.
        let damaged = whole + [0x1F, 0x8B, 0x08, 0xFF, 0xFF] + whole
        let newest = dir.file("tailship-29990101T000000.000Z.ndjson.gz")
        try Data(damaged).write(to: URL(fileURLWithPath: newest))
        let again = FileSink(directory: dir.path, maxFileBytes: 1 << 20, logger: Logger(label: "test"))
        _ = try await again.deliver(batch(4, lines: ["four"]))
        await again.shutdown()
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: newest))) == damaged)

        // Created, then killed before its first batch: removed, as an empty file is no valid .gz.
        let empty = dir.file("tailship-29991231T000000.000Z.ndjson.gz")
        _ = FileManager.default.createFile(atPath: empty, contents: nil)
        let third = FileSink(directory: dir.path, maxFileBytes: 1 << 20, logger: Logger(label: "test"))
        _ = try await third.deliver(batch(5, lines: ["five"]))
        await third.shutdown()
        #expect(!FileManager.default.fileExists(atPath: empty))
    }
}
