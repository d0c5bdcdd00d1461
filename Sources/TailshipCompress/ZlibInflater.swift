import CZlib

/// zlib's inflate (windowBits 15 + 16: gzip wrapper, CRC and length checked).
final class ZlibInflater: GzipInflater {
    // Heap-allocated: zlib keeps the stream's address and checks it on every call.
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let ready: Bool

    init() {
        stream.initialize(to: z_stream())
        ready = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }

    deinit {
        if ready { inflateEnd(stream) }
        stream.deallocate()
    }

    var pendingInput: Int { Int(stream.pointee.avail_in) }

    func supply(_ input: UnsafeRawBufferPointer) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
    }

    func inflate(into output: UnsafeMutableRawBufferPointer) -> InflateStep {
        guard ready else { return InflateStep(produced: 0, state: .corrupt) }
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let rc = CZlib.inflate(stream, Z_NO_FLUSH)
        let produced = output.count - Int(stream.pointee.avail_out)
        switch rc {
        case Z_STREAM_END: return InflateStep(produced: produced, state: .memberEnded)
        case Z_OK, Z_BUF_ERROR: return InflateStep(produced: produced, state: .more)
        default: return InflateStep(produced: produced, state: .corrupt)
        }
    }

    func startNextMember() {
        inflateReset(stream)
    }
}
