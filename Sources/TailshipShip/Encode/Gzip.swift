import CZlib
import NIOCore

public struct GzipError: Error, CustomStringConvertible {
    public let description: String
}

/// gzip through the system zlib.
public enum Gzip {
    /// One gzip member holding `input`.
    public static func compress(_ input: [UInt8], level: Int32) throws -> [UInt8] {
        // Not zero-filled: only the pages zlib writes (about a tenth of the input) become resident.
        try [UInt8](unsafeUninitializedCapacity: bound(input.count)) { buffer, initialized in
            initialized = try compress(input, level: level, into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// One gzip member holding `input`, written straight into a ByteBuffer: the
    /// HTTP request body, with no copy between compression and the socket.
    public static func compress(_ input: [UInt8], level: Int32, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var buffer = allocator.buffer(capacity: bound(input.count))
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: buffer.capacity) { raw in
            try compress(input, level: level, into: raw)
        }
        return buffer
    }

    /// The most bytes `compress` can produce for `count` input bytes: zlib's bound for
    /// its default window and memory level, plus room for the larger gzip header.
    static func bound(_ count: Int) -> Int {
        Int(compressBound(uLong(count))) + 32
    }

    private static func start(_ stream: inout z_stream, level: Int32) throws {
        // windowBits 15 + 16 asks zlib for a gzip header and trailer.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GzipError(description: "deflateInit2 failed")
        }
    }

    /// Compresses `input` into `output` (at least `bound` bytes); returns the bytes written.
    private static func compress(_ input: [UInt8], level: Int32, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        var stream = z_stream()
        try start(&stream, level: level)
        defer { deflateEnd(&stream) }
        return try input.withUnsafeBytes { inRaw in
            stream.next_in = UnsafeMutablePointer(mutating: inRaw.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(inRaw.count)
            stream.next_out = output.bindMemory(to: Bytef.self).baseAddress
            stream.avail_out = uInt(output.count)
            let rc = deflate(&stream, Z_FINISH)
            guard rc == Z_STREAM_END else { throw GzipError(description: "deflate failed (\(rc))") }
            return output.count - Int(stream.avail_out)
        }
    }

    /// The concatenated contents of every gzip member in `input`.
    public static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 4)
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GzipError(description: "inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try input.withUnsafeBytes { inRaw in
            guard !inRaw.isEmpty else { return }
            stream.next_in = UnsafeMutablePointer(mutating: inRaw.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(inRaw.count)
            while true {
                let (rc, got): (Int32, Int) = chunk.withUnsafeMutableBytes { outRaw in
                    stream.next_out = outRaw.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(outRaw.count)
                    let rc = inflate(&stream, Z_NO_FLUSH)
                    return (rc, outRaw.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[0..<got])
                if rc == Z_STREAM_END {
                    if stream.avail_in == 0 { return }
                    inflateReset(&stream)  // the next member
                } else if rc != Z_OK {
                    throw GzipError(description: "not valid gzip data (inflate \(rc))")
                } else if got == 0 && stream.avail_in == 0 {
                    throw GzipError(description: "gzip data ends early (no trailer)")
                }
            }
        }
        return output
    }
}
