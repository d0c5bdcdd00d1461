import CJSONScan

/// Finding a byte string in a line: glibc's memmem (SIMD), through CJSONScan.
public enum ByteSearch {
    /// The first occurrence of `needle` in `p[0..<n]`.
    public static func find(_ needle: [UInt8], in p: UnsafeRawPointer, _ n: Int) -> UnsafeRawPointer? {
        needle.withUnsafeBufferPointer { nd in
            cjsonscan_find(p.assumingMemoryBound(to: UInt8.self), n, nd.baseAddress!, nd.count).map { UnsafeRawPointer($0) }
        }
    }
}
