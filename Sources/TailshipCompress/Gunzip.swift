/// Whole-buffer gzip decompression: ISA-L first (where built in), zlib for anything it rejects.
public enum Gunzip {
    /// The concatenated contents of every gzip member in `input`.
    /// `zlibOnly`: zlib alone (for comparisons and independent checks).
    /// `limit`: more decompressed bytes than this throw `GzipLimitExceeded` (a body from the network).
    public static func decompress(_ input: [UInt8], zlibOnly: Bool = false, limit: Int = .max) throws -> [UInt8] {
        try decompress(input, first: Inflaters.make(preferISAL: !zlibOnly), limit: limit)
    }

    static func decompress(_ input: [UInt8], first: any GzipInflater, limit: Int = .max) throws -> [UInt8] {
        do {
            return try decompress(input, with: first, limit: limit)
        } catch let error as GzipLimitExceeded {
            throw error
        } catch {
            // ISA-L refused it: zlib decides (and gives its own error if it refuses too).
            if Inflaters.isZlib(first) { throw error }
            return try decompress(input, with: Inflaters.make(preferISAL: false), limit: limit)
        }
    }

    static func decompress(_ input: [UInt8], with inflater: any GzipInflater, limit: Int = .max) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(min(input.count * 4, limit))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try input.withUnsafeBytes { raw in
            guard !raw.isEmpty else { return }
            inflater.supply(raw)
            while true {
                let before = inflater.pendingInput
                let step = chunk.withUnsafeMutableBytes { inflater.inflate(into: $0) }
                output.append(contentsOf: chunk[0..<step.produced])
                if output.count > limit { throw GzipLimitExceeded(limit: limit) }
                switch step.state {
                case .corrupt:
                    throw GzipError(description: "not valid gzip data")
                case .memberEnded:
                    if inflater.pendingInput == 0 { return }
                    inflater.startNextMember()
                case .more:
                    if step.produced == 0 && (inflater.pendingInput == 0 || inflater.pendingInput == before) {
                        throw GzipError(description: "gzip data ends early (no trailer)")
                    }
                }
            }
        }
        return output
    }
}
