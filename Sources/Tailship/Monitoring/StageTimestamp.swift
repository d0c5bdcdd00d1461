import TailshipBasics
import TailshipJSON
import TailshipTail
#if canImport(Glibc)
import Glibc
#endif

/// Finds an audit event's `stageTimestamp` without decoding the line. The
/// apiserver writes it near the end (after the request and response objects),
/// so the last KiB is searched first and the whole line only if that fails.
enum StageTimestamp {
    private static let needle = Array(#""stageTimestamp":""#.utf8)
    static let tailWindow = 1024

    /// Nanoseconds since the epoch, or nil when the line has none.
    static func nanoseconds(_ line: UnsafeRawBufferPointer) -> Int64? {
        guard let base = line.baseAddress, line.count > needle.count else { return nil }
        let tailStart = max(0, line.count - tailWindow)
        let found = search(base + tailStart, line.count - tailStart) ?? (tailStart > 0 ? search(base, line.count) : nil)
        guard let start = found else { return nil }
        let valueStart = start + needle.count - base
        guard valueStart < line.count,
              let quote = memchr(base + valueStart, 0x22, line.count - valueStart) else { return nil }
        let length = UnsafeRawPointer(quote) - (base + valueStart)
        return RFC3339.nanoseconds(UnsafeRawBufferPointer(rebasing: line[valueStart..<(valueStart + length)]))
    }

    /// The first occurrence of the needle in `p[0..<n]`. memmem, not memchr to every quote and
    /// memcmp there: JSON has a quote every few bytes, and that loop was 4 % of a busy daemon's CPU.
    private static func search(_ p: UnsafeRawPointer, _ n: Int) -> UnsafeRawPointer? {
        ByteSearch.find(needle, in: p, n)
    }

    /// Calls `body` with the delay of each audit event in an NDJSON body.
    static func delays(in body: [UInt8], now: Int64, _ record: (Int64) -> Void) {
        body.withUnsafeBytes { all in
            guard let base = all.baseAddress else { return }
            var start = 0
            while start < all.count {
                let end = memchr(base + start, 0x0A, all.count - start).map { UnsafeRawPointer($0) - base } ?? all.count
                if let ts = nanoseconds(UnsafeRawBufferPointer(rebasing: all[start..<end])) { record(max(0, now - ts)) }
                start = end + 1
            }
        }
    }
}
