#if TAILSHIP_ISAL
import CIsal

/// One-shot gzip through ISA-L (`isal_deflate_stateless`).
enum IsalDeflate {
    /// Bytes written, or nil if they did not fit `output`.
    static func gzip(_ input: UnsafeRawBufferPointer, level: UInt32, into output: UnsafeMutableRawBufferPointer) -> Int? {
        let levelBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(tailship_isal_level_buffer_size(level)), alignment: 64)
        defer { levelBuffer.deallocate() }
        let stream = UnsafeMutablePointer<isal_zstream>.allocate(capacity: 1)
        defer { stream.deallocate() }
        isal_deflate_stateless_init(stream)
        stream.pointee.level = level
        stream.pointee.level_buf = levelBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        stream.pointee.level_buf_size = UInt32(levelBuffer.count)
        stream.pointee.gzip_flag = UInt16(IGZIP_GZIP)
        stream.pointee.end_of_stream = 1
        stream.pointee.flush = UInt16(NO_FLUSH)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = UInt32(output.count)
        guard isal_deflate_stateless(stream) == COMP_OK else { return nil }
        return Int(stream.pointee.total_out)
    }
}
#endif
