import NIOCore
import TailshipCompress

/// gzip for outputs and dead letters, with the configured engine (ISA-L or zlib).
public enum Gzip {
    /// One gzip member holding `input`.
    public static func compress(_ input: [UInt8], level: Int32, engine: CompressionEngine = .zlib) throws -> [UInt8] {
        try Deflate.gzip(input, level: level, engine: engine)
    }

    /// One gzip member holding `input`, written straight into a ByteBuffer: the
    /// HTTP request body, with no copy between compression and the socket.
    public static func compress(_ input: [UInt8], level: Int32, engine: CompressionEngine,
                                allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var buffer = allocator.buffer(capacity: Deflate.bound(input.count))
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: buffer.capacity) { raw in
            try input.withUnsafeBytes { try Deflate.gzip($0, level: level, engine: engine, into: raw) }
        }
        return buffer
    }

    /// The concatenated contents of every gzip member in `input` (ISA-L, then zlib for anything it rejects).
    public static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        try Gunzip.decompress(input)
    }
}
