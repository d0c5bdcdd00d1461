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
}
