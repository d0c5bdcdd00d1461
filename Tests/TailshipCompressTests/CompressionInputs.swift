import Foundation
import TailshipTestSupport

/// What the tests compress: the real audit logs in the repository, cut or repeated to
/// sizes from 1 byte to 4 MiB, and bytes that do not compress.
enum CompressionInputs {
    /// Every real log, concatenated.
    static let realLogs: [UInt8] = {
        let dir = TestFixtures.real
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".log") || $0.hasSuffix(".ndjson") }.sorted().flatMap {
            Array((try? Data(contentsOf: dir.appendingPathComponent($0))) ?? Data())
        }
    }()

    static let sizes = [1, 2, 100, 4095, 65_535, 65_536, 65_537, 1 << 20, (1 << 20) + 7, 4 << 20]

    /// `count` bytes of audit events (the real logs repeated as needed).
    static func audit(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count { out += realLogs.prefix(count - out.count) }
        return out
    }

    /// `count` bytes from a seeded generator: incompressible, ISA-L's and zlib's worst case.
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var out = [UInt8](repeating: 0, count: (count + 7) / 8 * 8)
        out.withUnsafeMutableBytes { raw in
            for i in stride(from: 0, to: raw.count, by: 8) { raw.storeBytes(of: rng.next(), toByteOffset: i, as: UInt64.self) }
        }
        return Array(out.prefix(count))
    }
}
