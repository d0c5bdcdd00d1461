import Foundation
import Testing
import TailshipTestSupport
@testable import TailshipCompress

/// ISA-L's output is standard gzip: zlib (forced, not ISA-L) and Debian's gzip read every
/// body back byte for byte, for every size from 1 byte to 4 MiB and each ISA-L level.
@Suite(.enabled(if: CompressionEngine.isalBuiltIn, "this build has no ISA-L"))
struct IsalGzipTests {
    let dir = TempDirectory()

    static func zlibInflate(_ gz: [UInt8]) throws -> [UInt8] {
        try Gunzip.decompress(gz, zlibOnly: true)
    }

    @Test(arguments: 1...3)
    func everySizeReadsBackWithZlibAndGzip(level: Int32) throws {
        for size in CompressionInputs.sizes {
            for (kind, data) in [("audit", CompressionInputs.audit(size)), ("noise", CompressionInputs.noise(size, seed: UInt64(size)))] {
                let gz = try Deflate.gzip(data, level: level, engine: .isal)
                #expect(Array(gz.prefix(3)) == [0x1f, 0x8b, 0x08], "\(kind) \(size) bytes, level \(level): not a gzip header")
                #expect(try Self.zlibInflate(gz) == data, "\(kind) \(size) bytes, level \(level): zlib disagrees")
                let (valid, decoded) = try GzipTool.check(gz, in: dir.path)
                #expect(valid, "\(kind) \(size) bytes, level \(level): gzip -t refuses it")
                #expect(decoded == data, "\(kind) \(size) bytes, level \(level): gzip -dc gives \(decoded.count) bytes")
            }
        }
    }

    @Test func everyRealLogReadsBack() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestFixtures.real.path).filter { $0.hasSuffix(".log") || $0.hasSuffix(".ndjson") }
        #expect(names.count >= 5)
        for name in names {
            let data = Array(try Data(contentsOf: TestFixtures.real.appendingPathComponent(name)))
            let gz = try Deflate.gzip(data, level: 1, engine: .isal)
            #expect(try Self.zlibInflate(gz) == data, "\(name)")
            let (valid, decoded) = try GzipTool.check(gz, in: dir.path)
            #expect(valid && decoded == data, "\(name): gzip -t or -dc disagrees")
        }
    }

    /// Smaller than zlib level 1 on real audit events (the claim, measured in `make bench` at scale).
    @Test func isalLevelOneIsNoLargerThanZlibLevelOneOnAuditEvents() throws {
        let data = CompressionInputs.audit(4 << 20)
        let isal = try Deflate.gzip(data, level: 1, engine: .isal).count
        let zlib = try Deflate.gzip(data, level: 1, engine: .zlib).count
        #expect(isal <= zlib, "ISA-L \(isal) bytes, zlib \(zlib) bytes")
    }
}
