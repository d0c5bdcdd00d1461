import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// Reads a .gz file's decompressed bytes in order, in bounded memory. The file
/// may still be growing (being compressed): at its current end without a gzip
/// trailer, `read` returns 0 and `isComplete` stays false; call again later.
final class GzipStreamReader {
    private let file: any OpenFile
    private var stream = z_stream()
    private var input: UnsafeMutableRawBufferPointer
    private var compressedOffset: UInt64 = 0
    private var ready = false
    private var memberEnded = false
    /// Decompressed bytes handed out so far.
    private(set) var position: UInt64 = 0
    /// The data is not valid gzip.
    private(set) var failed = false

    init(file: any OpenFile) {
        self.file = file
        input = .allocate(byteCount: 1 << 16, alignment: 16)
        ready = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
        failed = !ready
    }

    deinit {
        if ready { inflateEnd(&stream) }
        input.deallocate()
    }

    /// True once the last member's trailer (CRC and length) checked out and no bytes follow it.
    var isComplete: Bool {
        guard memberEnded, stream.avail_in == 0 else { return false }
        return file.status?.size == compressedOffset
    }

    /// Fills `buffer` with the next decompressed bytes; 0 at the current end; -1 on corrupt data.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard ready, !failed else { return -1 }
        while true {
            if stream.avail_in == 0 {
                let n = file.read(into: input, at: compressedOffset)
                if n < 0 { return -1 }
                if n == 0 { return 0 }
                compressedOffset += UInt64(n)
                stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(n)
            }
            if memberEnded {
                // Another member follows (concatenated gzip).
                inflateReset(&stream)
                memberEnded = false
            }
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(buffer.count)
            let rc = inflate(&stream, Z_NO_FLUSH)
            let produced = buffer.count - Int(stream.avail_out)
            if rc == Z_STREAM_END {
                memberEnded = true
            } else if rc != Z_OK && rc != Z_BUF_ERROR {
                failed = true
                return produced > 0 ? produced : -1
            }
            if produced > 0 {
                position += UInt64(produced)
                return produced
            }
            if memberEnded && stream.avail_in == 0 {
                // Check for bytes after the trailer before reporting the end.
                continue
            }
        }
    }

    /// Reads and discards up to decompressed offset `target`; false if the data ends first.
    func skip(to target: UInt64, scratch: UnsafeMutableRawBufferPointer) -> Bool {
        while position < target {
            let want = Int(min(UInt64(scratch.count), target - position))
            let n = read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<want]))
            if n <= 0 { return false }
        }
        return true
    }

    /// Whether the whole gzip file decompresses to a valid end (every
    /// member's CRC and length checked), and its decompressed size.
    static func verify(_ file: any OpenFile, scratch: UnsafeMutableRawBufferPointer) -> (complete: Bool, size: UInt64) {
        let reader = GzipStreamReader(file: file)
        while reader.read(into: scratch) > 0 {}
        return (!reader.failed && reader.isComplete, reader.position)
    }

    /// Up to `limit` first decompressed bytes of a gzip file.
    static func head(_ file: any OpenFile, limit: Int) -> [UInt8] {
        let reader = GzipStreamReader(file: file)
        var out = [UInt8](repeating: 0, count: limit)
        var got = 0
        while got < limit {
            let n = out.withUnsafeMutableBytes { reader.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got..<limit])) }
            if n <= 0 { break }
            got += n
        }
        return Array(out[0..<got])
    }
}
