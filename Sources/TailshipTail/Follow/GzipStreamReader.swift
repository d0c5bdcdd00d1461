import TailshipCompress

/// Reads a .gz file's decompressed bytes in order, in bounded memory. The file
/// may still be growing (being compressed): at its current end without a gzip
/// trailer, `read` returns 0 and `isComplete` stays false; call again later.
/// ISA-L inflates where it is built in; if it rejects the data, zlib reads the
/// file again from its start (skipping what was handed out) and decides.
final class GzipStreamReader {
    private let file: any OpenFile
    private var inflater: any GzipInflater
    private var input: UnsafeMutableRawBufferPointer
    private var compressedOffset: UInt64 = 0
    private var memberEnded = false
    /// Decompressed bytes handed out so far.
    private(set) var position: UInt64 = 0
    /// The data is not valid gzip.
    private(set) var failed = false
    /// The inflater reported corrupt data after handing out bytes: the next read decides.
    private var rejected = false

    /// `inflater`: ISA-L's where built in; tests give one that refuses, to exercise the fallback.
    init(file: any OpenFile, inflater: any GzipInflater = Inflaters.make()) {
        self.file = file
        self.inflater = inflater
        input = .allocate(byteCount: 1 << 16, alignment: 16)
    }

    deinit {
        input.deallocate()
    }

    /// True once the last member's trailer (CRC and length) checked out and no bytes follow it.
    var isComplete: Bool {
        guard memberEnded, inflater.pendingInput == 0 else { return false }
        return file.status?.size == compressedOffset
    }

    /// Fills `buffer` with the next decompressed bytes; 0 at the current end; -1 on corrupt data.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard !failed else { return -1 }
        if rejected {
            rejected = false
            guard fallBackToZlib(scratch: buffer) else { failed = true; return -1 }
        }
        while true {
            if inflater.pendingInput == 0 {
                let n = file.read(into: input, at: compressedOffset)
                if n < 0 { return -1 }
                if n == 0 { return 0 }
                compressedOffset += UInt64(n)
                inflater.supply(UnsafeRawBufferPointer(rebasing: input[0..<n]))
            }
            if memberEnded {
                // Another member follows (concatenated gzip).
                inflater.startNextMember()
                memberEnded = false
            }
            let step = inflater.inflate(into: buffer)
            if step.state == .corrupt {
                if step.produced > 0 {
                    rejected = true
                    position += UInt64(step.produced)
                    return step.produced
                }
                if fallBackToZlib(scratch: buffer) { continue }
                failed = true
                return -1
            }
            memberEnded = step.state == .memberEnded
            if step.produced > 0 {
                position += UInt64(step.produced)
                return step.produced
            }
        }
    }

    /// ISA-L refused the data: zlib starts over and skips to `position`. False when zlib
    /// is already the one reading, or it fails before reaching `position` (corrupt for both).
    private func fallBackToZlib(scratch: UnsafeMutableRawBufferPointer) -> Bool {
        guard !Inflaters.isZlib(inflater) else { return false }
        inflater = Inflaters.make(preferISAL: false)
        let handedOut = position
        (compressedOffset, position, memberEnded) = (0, 0, false)
        return skip(to: handedOut, scratch: scratch) && !failed
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
