/// One gzip member from a whole input, in one call, with the chosen engine.
public enum Deflate {
    /// The most bytes `gzip` can write for `count` input bytes with either engine: zlib's
    /// bound (more than ISA-L's stored-block worst case) plus room for the gzip wrapper.
    public static func bound(_ count: Int) -> Int {
        ZlibDeflate.bound(count) + 32
    }

    /// Compresses `input` into `output` (at least `bound(input.count)` bytes); returns the bytes written.
    public static func gzip(_ input: UnsafeRawBufferPointer, level: Int32, engine: CompressionEngine,
                            into output: UnsafeMutableRawBufferPointer) throws -> Int {
        switch engine {
        case .zlib:
            return try ZlibDeflate.gzip(input, level: level, into: output)
        case .isal:
            #if TAILSHIP_ISAL
            // ISA-L has only levels 1 to 3; configuration never asks it for more.
            if let n = IsalDeflate.gzip(input, level: UInt32(min(max(level, 1), 3)), into: output) { return n }
            #endif
            // Not built in, or output did not fit (cannot happen within `bound`): zlib writes it.
            return try ZlibDeflate.gzip(input, level: min(level, 9), into: output)
        }
    }

    /// One gzip member holding `input`.
    public static func gzip(_ input: [UInt8], level: Int32, engine: CompressionEngine) throws -> [UInt8] {
        // Not zero-filled: only the pages the compressor writes (about a quarter of the input for audit events) become resident.
        try [UInt8](unsafeUninitializedCapacity: bound(input.count)) { buffer, initialized in
            initialized = try input.withUnsafeBytes {
                try gzip($0, level: level, engine: engine, into: UnsafeMutableRawBufferPointer(buffer))
            }
        }
    }
}
