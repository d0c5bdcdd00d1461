import TailshipBasics
import Foundation
import TailshipTail
import TailshipTestSupport

/// Appends real Metadata events to a file at a steady rate, in 10 ms ticks,
/// each stamped with its write time in `requestReceivedTimestamp` (to the
/// microsecond) so the receiver can measure write-to-receipt delay.
enum SteadyWriter {
    static func run(log: BenchLog, path: String, rate: Int, seconds: Double, seed: UInt64) throws -> Int {
        var random = SplitMix64(seed: seed)
        let key = Array(#""requestReceivedTimestamp":""#.utf8)
        // Each template split around its auditID and its timestamp value (sorted keys: the ID comes first).
        let templates: [(head: [UInt8], before: [UInt8], after: [UInt8])] = log.metadata.compactMap { t in
            guard let at = BenchBytes.range(of: key, in: t.tail) else { return nil }
            let valueStart = at.upperBound
            guard let close = t.tail[valueStart...].firstIndex(of: 0x22) else { return nil }
            return (t.head, Array(t.tail[..<valueStart]), Array(t.tail[close...]))
        }
        guard !templates.isEmpty else { throw BenchError("no Metadata template has requestReceivedTimestamp") }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot open \(path)") }
        defer { close(fd) }
        let tick = 0.010
        let perTick = Double(rate) * tick
        let start = PolicyBench.now()
        var written = 0
        var buffer: [UInt8] = []
        var n = 0
        while true {
            let due = Int((Double(n + 1) * perTick).rounded(.down)) - written
            let t = CivilTime.now()
            let stamp = Array(String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond).utf8)
            buffer.removeAll(keepingCapacity: true)
            for _ in 0..<max(0, due) {
                let tpl = templates[random.below(templates.count)]
                buffer += tpl.head
                buffer += random.uuid()
                buffer += tpl.before
                buffer += stamp
                buffer += tpl.after
                buffer.append(0x0A)
            }
            _ = buffer.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            written += max(0, due)
            n += 1
            let next = start + Double(n) * tick
            if next - start >= seconds { break }
            let wait = next - PolicyBench.now()
            if wait > 0 { usleep(UInt32(wait * 1e6)) }
        }
        return written
    }
}
