import TailshipJSON
import Foundation
import TailshipPolicy
#if canImport(Glibc)
import Glibc
#endif

/// `tailship policy test`: one decision per input line, in order, as compact
/// JSON; or with `apply`, the lines exactly as the daemon would ship them.
public struct PolicyTestRun {
    public var explain = false
    public var apply = false
    private let processor: PolicyProcessor?
    /// With `apply`: the whole chain (with `config`, its redaction, pseudonymisation and enrichment too).
    private let chain: ApplyChain?
    /// Named in `tailship.source` (add_source).
    public var sourceName = "-"

    /// `policy` nil: only with `apply` and a `config` (which may have none either).
    public init(policy: AuditPolicy?, explain: Bool = false, apply: Bool = false, config: ResolvedConfig? = nil) throws {
        processor = policy.map { PolicyProcessor(policy: $0) }
        self.explain = explain
        self.apply = apply
        chain = apply ? try ApplyChain(policy: policy, config: config) : nil
    }

    /// Reads NDJSON from `fd` to its end, writing results to `out`.
    public func run(input fd: Int32, output out: Int32) throws {
        var writer = BufferedWriter(fd: out)
        var lineNumber = 0
        var offset: UInt64 = 0
        try LineSplitter.forEachLine(fd: fd) { line in
            lineNumber += 1
            try handle(line, number: lineNumber, offset: offset, into: &writer)
            offset += UInt64(line.count + 1)
        }
        try writer.flush()
    }

    private func handle(_ line: UnsafeRawBufferPointer, number: Int, offset: UInt64, into w: inout BufferedWriter) throws {
        if let chain {
            // As the daemon: empty lines are not shipped, invalid lines pass (policy_on_invalid default).
            guard line.count > 0 else { return }
            try chain.apply(line, source: sourceName, offset: offset) { shipped in
                try w.write(shipped)
                try w.write(byte: 0x0A)
            }
            return
        }
        guard let processor else { return }
        let v = processor.process(line)
        guard let d = v.decision else {
            try w.write("{\"line\":\(number),\"action\":\"invalid\"}\n")
            return
        }
        try w.write("{\"line\":\(number),\"auditID\":")
        try writeRaw(v.auditID, line, &w)
        try w.write(",\"stage\":")
        try writeRaw(v.stage, line, &w)
        let stages = d.omitStages.sortedNames.map { "\"\($0)\"" }.joined(separator: ",")
        try w.write(",\"level\":\"\(d.level.name)\",\"action\":\"\(v.action.rawValue)\",\"omitStages\":[\(stages)],\"omitManagedFields\":\(d.omitManagedFields)")
        if explain { try w.write(",\"rule\":\(d.rule.map(String.init) ?? "null")") }
        try w.write("}\n")
    }

    /// A string as it was written in the event (already valid JSON), or null.
    private func writeRaw(_ s: JSONString?, _ line: UnsafeRawBufferPointer, _ w: inout BufferedWriter) throws {
        guard let s else { return try w.write("null") }
        try w.write(UnsafeRawBufferPointer(rebasing: line[(s.start - 1)...s.end]))
    }
}

/// Collects output and writes it to a descriptor in large pieces.
struct BufferedWriter {
    let fd: Int32
    var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    mutating func write(_ s: String) throws { buffer.append(contentsOf: s.utf8); try flushIfFull() }
    mutating func write(byte: UInt8) throws { buffer.append(byte); try flushIfFull() }
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws { buffer.append(contentsOf: bytes); try flushIfFull() }

    private mutating func flushIfFull() throws { if buffer.count >= 1 << 16 { try flush() } }

    mutating func flush() throws {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Splits a descriptor's bytes into lines (without `\n`); a last line without `\n` counts.
enum LineSplitter {
    static func forEachLine(fd: Int32, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            if n == 0 { break }
            try chunk.withUnsafeBytes { raw in
                var start = 0
                while start < n, let nl = memchr(raw.baseAddress! + start, 0x0A, n - start) {
                    let end = UnsafeRawPointer(nl) - raw.baseAddress!
                    if pending.isEmpty {
                        try body(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                    } else {
                        pending.append(contentsOf: raw[start..<end])
                        try pending.withUnsafeBytes { try body($0) }
                        pending.removeAll(keepingCapacity: true)
                    }
                    start = end + 1
                }
                pending.append(contentsOf: raw[start..<n])
            }
        }
        if !pending.isEmpty { try pending.withUnsafeBytes { try body($0) } }
    }
}
