import Foundation
import Testing
import TailshipCompress
import TailshipTestSupport
@testable import TailshipTail

/// The .gz reader with the default inflater (ISA-L where built in), and its hand-over to zlib.
@Suite struct GzipStreamReaderTests {
    static func events(_ count: Int) -> [UInt8] {
        Array((0..<count).map { "{\"kind\":\"Event\",\"auditID\":\"\($0)\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}\n" }.joined().utf8)
    }

    /// Everything the reader hands out, in small reads, until it reports the current end.
    static func drain(_ reader: GzipStreamReader, chunk: Int = 4096) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { reader.read(into: $0) }
            if n <= 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// A .gz file written in pieces (as lumberjack's compressor does) reads to its current end,
    /// then on as it grows, and is complete only once its last member's trailer is there.
    @Test func followsAGrowingFileWithConcatenatedMembers() throws {
        let fs = MemoryFileSystem()
        let a = Self.events(20_000), b = Self.events(300)
        let gz = try Deflate.gzip(a, level: 1, engine: CompressionEngine.isalBuiltIn ? .isal : .zlib) + Deflate.gzip(b, level: 6, engine: .zlib)
        fs.create("/x.gz")
        fs.append(Array(gz.prefix(gz.count / 2)), to: "/x.gz")
        let reader = GzipStreamReader(file: try fs.open("/x.gz").get())
        var got = Self.drain(reader)
        #expect(!reader.isComplete && !reader.failed && got.count < a.count)
        fs.append(Array(gz.suffix(from: gz.count / 2)), to: "/x.gz")
        got += Self.drain(reader)
        #expect(got == a + b)
        #expect(reader.isComplete && reader.position == UInt64(a.count + b.count))
    }

    /// ISA-L refusing data mid-file: zlib reads it again from the start, skips what was handed out,
    /// and the caller sees the same bytes as if nothing happened.
    @Test(arguments: [1, 3, 7])
    func aRefusalHandsOverToZlibWithoutRepeatingBytes(after calls: Int) throws {
        let fs = MemoryFileSystem()
        let data = Self.events(30_000)
        fs.create("/y.gz")
        fs.append(try Deflate.gzip(data, level: 6, engine: .zlib), to: "/y.gz")
        let reader = GzipStreamReader(file: try fs.open("/y.gz").get(), inflater: RefusingInflater(after: calls))
        #expect(Self.drain(reader, chunk: 10_000) == data)
        #expect(reader.isComplete && !reader.failed)
    }

    /// Corrupt for both engines: the reader fails, and does not loop.
    @Test func corruptDataFails() throws {
        let fs = MemoryFileSystem()
        var gz = try Deflate.gzip(Self.events(5_000), level: 1, engine: .zlib)
        gz[gz.count / 2] ^= 0x55
        gz[gz.count / 2 + 1] ^= 0xaa
        fs.create("/z.gz")
        fs.append(gz, to: "/z.gz")
        let reader = GzipStreamReader(file: try fs.open("/z.gz").get())
        _ = Self.drain(reader)
        #expect(reader.failed && !reader.isComplete)
    }
}
