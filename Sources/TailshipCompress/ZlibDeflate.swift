import CZlib

/// One-shot gzip through the system zlib.
enum ZlibDeflate {
    static func bound(_ count: Int) -> Int {
        Int(compressBound(uLong(count)))
    }

    static func gzip(_ input: UnsafeRawBufferPointer, level: Int32, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        var stream = z_stream()
        // windowBits 15 + 16 asks zlib for a gzip header and trailer.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GzipError(description: "deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.avail_in = uInt(input.count)
        stream.next_out = output.bindMemory(to: Bytef.self).baseAddress
        stream.avail_out = uInt(output.count)
        let rc = deflate(&stream, Z_FINISH)
        guard rc == Z_STREAM_END else { throw GzipError(description: "deflate failed (\(rc))") }
        return output.count - Int(stream.avail_out)
    }
}
