#if TAILSHIP_ISAL
import CIsal

/// One-shot gzip through ISA-L (`isal_deflate_stateless`).
enum IsalDeflate {
    /// Bytes written, or nil if ISA-L refused (or the output did not fit).
    static func gzip(_ input: UnsafeRawBufferPointer, level: UInt32, into output: UnsafeMutableRawBufferPointer) -> Int? {
        let stream = UnsafeMutablePointer<isal_zstream>.allocate(capacity: 1)
        defer { stream.deallocate() }
        let levelBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(tailship_isal_level_buffer_size(level)), alignment: 64)
        defer { levelBuffer.deallocate() }
        // Zeroed first: stateless_init does not set every field the deflate reads. From reused heap
        // memory the daemon's output for the same log varied from run to run (261 to 362 MB for the
        // 1 GiB bench log; CompressionEngineTests.theSameLogCompressesToTheSameBatchesAndSize).
        stream.initialize(to: isal_zstream())
        levelBuffer.initializeMemory(as: UInt8.self, repeating: 0)
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
