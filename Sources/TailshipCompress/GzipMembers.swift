import Foundation

/// Where a file of concatenated gzip members stops being whole. A process killed while
/// appending a member leaves a prefix of it at the end; everything before it is intact.
public enum GzipMembers {
    public struct Extent: Sendable, Equatable {
        /// Bytes from the start that are whole members (checksums and lengths verified).
        public var whole: UInt64
        /// What follows them: nothing, a member cut short, or bytes that are not gzip.
        public var rest: Rest
    }

    public enum Rest: Sendable, Equatable {
        case none
        /// The start of a member whose end never arrived: a write cut short.
        case cutShort
        /// Not gzip, or a failed checksum: damage, not an interrupted append.
        case corrupt
    }

    /// Reads `path` in 1 MiB pieces (zlib decides: it is the reference inflater).
    public static func extent(ofFile path: String) throws -> Extent {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var scan = Scan()
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            guard scan.feed([UInt8](data)) else { return Extent(whole: scan.whole, rest: .corrupt) }
        }
        return Extent(whole: scan.whole, rest: scan.whole == scan.consumed ? .none : .cutShort)
    }

    /// The same, for bytes in memory.
    public static func extent(of bytes: [UInt8]) -> Extent {
        var scan = Scan()
        guard scan.feed(bytes) else { return Extent(whole: scan.whole, rest: .corrupt) }
        return Extent(whole: scan.whole, rest: scan.whole == scan.consumed ? .none : .cutShort)
    }

    private struct Scan {
        let inflater = Inflaters.make(preferISAL: false)
        var output = [UInt8](repeating: 0, count: 1 << 16)
        /// Bytes fed so far, and how many of them end a whole member.
        var consumed: UInt64 = 0
        var whole: UInt64 = 0

        /// False when the bytes are not gzip.
        mutating func feed(_ chunk: [UInt8]) -> Bool {
            let base = consumed
            consumed += UInt64(chunk.count)
            return chunk.withUnsafeBytes { raw in
                inflater.supply(raw)
                while true {
                    let before = inflater.pendingInput
                    let step = output.withUnsafeMutableBytes { inflater.inflate(into: $0) }
                    switch step.state {
                    case .corrupt:
                        return false
                    case .memberEnded:
                        whole = base + UInt64(raw.count - inflater.pendingInput)
                        inflater.startNextMember()
                        if inflater.pendingInput == 0 { return true }
                    case .more:
                        // Output space left over, or nothing moved: this piece is used up.
                        if inflater.pendingInput == 0 && step.produced < output.count { return true }
                        if step.produced == 0 && inflater.pendingInput == before { return true }
                    }
                }
            }
        }
    }
}
