import Foundation
import Testing
import TailshipTestSupport
@testable import TailshipCompress

/// Both inflaters read what other programs wrote: Debian's gzip at levels 1 and 9,
/// concatenated members, and refuse corrupt data; ISA-L's refusal hands over to zlib.
@Suite struct InflateTests {
    let dir = TempDirectory()

    static var inflaters: [(String, () -> any GzipInflater)] {
        var all: [(String, () -> any GzipInflater)] = [("zlib", { Inflaters.make(preferISAL: false) })]
        if CompressionEngine.isalBuiltIn { all.append(("isal", { Inflaters.make() })) }
        return all
    }

    @Test func readsGzipsOutputAndConcatenatedMembers() throws {
        let a = CompressionInputs.audit(300_000), b = CompressionInputs.noise(70_000, seed: 7), c = Array("last line\n".utf8)
        let joined = try GzipTool.compress(a, level: 1, in: dir.path) + GzipTool.compress(b, level: 9, in: dir.path)
            + Deflate.gzip(c, level: 1, engine: .zlib)
        for (name, make) in Self.inflaters {
            #expect(try Gunzip.decompress(joined, with: make()) == a + b + c, "\(name)")
            #expect(try Gunzip.decompress(Deflate.gzip([], level: 1, engine: .zlib), with: make()) == [], "\(name): empty member")
        }
    }

    @Test func refusesCorruptAndTruncatedData() throws {
        let data = CompressionInputs.audit(100_000)
        let gz = try GzipTool.compress(data, level: 1, in: dir.path)
        var badCRC = gz
        badCRC[gz.count - 6] ^= 0xff
        for (name, make) in Self.inflaters {
            #expect(throws: GzipError.self, "\(name): bad CRC") { try Gunzip.decompress(badCRC, with: make()) }
            #expect(throws: GzipError.self, "\(name): truncated") { try Gunzip.decompress(Array(gz.dropLast(6)), with: make()) }
            #expect(throws: GzipError.self, "\(name): not gzip") { try Gunzip.decompress(Array("plain text\n".utf8), with: make()) }
        }
        #expect(throws: GzipError.self) { try Gunzip.decompress(badCRC) }
    }

    /// Whatever the first inflater refuses, zlib reads again from the start.
    @Test func aRefusalFallsBackToZlib() throws {
        let data = CompressionInputs.audit(500_000)
        let gz = try GzipTool.compress(data, level: 6, in: dir.path)
        #expect(try Gunzip.decompress(gz, first: RefusingInflater(after: 2)) == data)
    }
}
