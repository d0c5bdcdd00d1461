import Foundation
import TailshipPolicy
import TailshipCompress
import TailshipShip
import TailshipTail
import TailshipJSON

/// The hot pieces alone, on the first `megabytes` of a benchmark log held in
/// memory, one core: framing (memchr), the audit field scanner, gzip level 1
/// of 1 MiB batches, and gunzip for scale. Each reports MiB/s of input.
enum MicroBench {
    struct Row { var name: String; var seconds: Double; var mibPerSecond: Double }

    static func time(_ name: String, mib: Double, _ body: () throws -> Void) rethrows -> Row {
        let start = PolicyBench.now()
        try body()
        let seconds = PolicyBench.now() - start
        return Row(name: name, seconds: seconds, mibPerSecond: mib / seconds)
    }

    static func run(file: String, megabytes: Int) throws -> [Row] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        var data = Array(try handle.read(upToCount: megabytes << 20) ?? Data())
        // Whole lines only.
        if let last = data.lastIndex(of: 0x0A) { data.removeSubrange((last + 1)...) }
        let mib = Double(data.count) / 1_048_576
        func time(_ name: String, _ body: () throws -> Void) rethrows -> Row { try Self.time(name, mib: mib, body) }
        var rows: [Row] = []
        var lines = 0
        rows.append(time("framing (LineFramer, 1 MiB reads)") {
            var framer = LineFramer(maxLineBytes: 16 << 20)
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = min(1 << 20, raw.count - offset)
                    framer.feed(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + n)]), base: UInt64(offset)) { piece in
                        if case .line = piece { lines += 1 }
                    }
                    offset += n
                }
            }
        })
        var events = 0
        rows.append(time("audit field scanner (EventFields)") {
            var members: [JSONMember] = []
            members.reserveCapacity(32)
            data.withUnsafeBufferPointer { buffer in
                var start = 0
                let base = buffer.baseAddress!
                while start < buffer.count {
                    let end = memchr(base + start, 0x0A, buffer.count - start).map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) } ?? buffer.count
                    if EventFields.scan(base + start, end - start, members: &members)?.isEvent == true { events += 1 }
                    start = end + 1
                }
            }
        })
        let compressed = try gzipRows(data, into: &rows)
        let ratio = Double(compressed.reduce(0) { $0 + $1.count }) / Double(data.count)
        print(String(format: "micro: %.0f MiB in memory, %d lines, %d events, gzip -1 ratio %.3f", mib, lines, events, ratio))
        return rows
    }

    /// gzip level 1 of 1 MiB batches with each engine built in, and gunzip of zlib's output with each.
    static func gzipRows(_ data: [UInt8], into rows: inout [Row]) throws -> [[UInt8]] {
        let mib = Double(data.count) / 1_048_576
        func time(_ name: String, _ body: () throws -> Void) rethrows -> Row { try Self.time(name, mib: mib, body) }
        var compressed: [[UInt8]] = []
        for engine in CompressionEngine.isalBuiltIn ? [CompressionEngine.zlib, .isal] : [.zlib] {
            var out: [[UInt8]] = []
            rows.append(try time("gzip level 1 (\(engine.rawValue), 1 MiB batches)") {
                var offset = 0
                while offset < data.count {
                    let n = min(1 << 20, data.count - offset)
                    out.append(try Gzip.compress(Array(data[offset..<(offset + n)]), level: 1, engine: engine))
                    offset += n
                }
            })
            if engine == .zlib { compressed = out }
        }
        rows.append(try time("gunzip (zlib), for scale") {
            for c in compressed { _ = try Gunzip.decompress(c, zlibOnly: true) }
        })
        if CompressionEngine.isalBuiltIn {
            rows.append(try time("gunzip (isal)") {
                for c in compressed { _ = try Gunzip.decompress(c) }
            })
        }
        return compressed
    }
}
