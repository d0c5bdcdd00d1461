import Foundation
import Testing
import TailshipTestSupport
@testable import TailshipCompress

/// Where a file of gzip members stops being whole, for members written by Debian's gzip
/// (not by Tailship): cut anywhere, the whole members before the cut are found exactly.
@Suite struct GzipMembersTests {
    let dir = TempDirectory()

    /// Three members by `gzip`, and the offsets where each ends.
    func members() throws -> (bytes: [UInt8], ends: [UInt64]) {
        var rng = SystemRandomNumberGenerator()
        var bytes: [UInt8] = [], ends: [UInt64] = []
        for n in 0..<3 {
            let text = (0..<(200 + n * 300)).map { "line \(n) \($0) \(UInt32.random(in: 0...UInt32.max, using: &rng))\n" }.joined()
            bytes += try GzipTool.compress(Array(text.utf8), level: 6, in: dir.path)
            ends.append(UInt64(bytes.count))
        }
        return (bytes, ends)
    }

    @Test func aCutAnywhereLeavesExactlyTheWholeMembersBeforeIt() throws {
        let (bytes, ends) = try members()
        #expect(GzipMembers.extent(of: bytes) == .init(whole: UInt64(bytes.count), rest: .none))
        #expect(GzipMembers.extent(of: []) == .init(whole: 0, rest: .none))
        for cut in 1..<bytes.count {
            let whole = ends.last { $0 <= UInt64(cut) } ?? 0
            let extent = GzipMembers.extent(of: Array(bytes[0..<cut]))
            #expect(extent == .init(whole: whole, rest: whole == UInt64(cut) ? .none : .cutShort), "cut at \(cut)")
            if extent.whole != whole { break }
        }
    }

    @Test func damageIsNotTakenForACutShortWrite() throws {
        let (bytes, ends) = try members()
        var damaged = bytes
        damaged[Int(ends[0]) + 1] ^= 0xFF  // the second member's magic
        #expect(GzipMembers.extent(of: damaged) == .init(whole: ends[0], rest: .corrupt))
        var garbage = bytes
        garbage += Array("not gzip at all\n".utf8)
        #expect(GzipMembers.extent(of: garbage) == .init(whole: ends[2], rest: .corrupt))
    }

    /// Read from a file in 1 MiB pieces, members several MiB long end where they do.
    @Test func aFileIsReadInPiecesAcrossMemberEnds() throws {
        var rng = SystemRandomNumberGenerator()
        var bytes: [UInt8] = [], ends: [UInt64] = []
        for _ in 0..<3 {
            let noise = (0..<(1 << 20) * 2).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes += try GzipTool.compress(noise, level: 1, in: dir.path)
            ends.append(UInt64(bytes.count))
        }
        let path = dir.file("members.gz")
        for cut in [bytes.count, Int(ends[1]), Int(ends[1]) + 1, Int(ends[2]) - 1, (1 << 20) * 3] {
            try Data(bytes[0..<cut]).write(to: URL(fileURLWithPath: path))
            let whole = ends.last { $0 <= UInt64(cut) } ?? 0
            #expect(try GzipMembers.extent(ofFile: path) == .init(whole: whole, rest: whole == UInt64(cut) ? .none : .cutShort), "cut at \(cut)")
        }
    }
}
