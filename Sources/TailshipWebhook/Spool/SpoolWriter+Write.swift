import Foundation
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

extension SpoolWriter {
    /// Writes every waiting request, syncs once, answers each.
    func write(_ batch: [Request]) {
        let began = monotonicSeconds()
        var outcome = SpoolWriter.Outcome.appended
        do {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(batch.reduce(0) { $0 + $1.bytes.count })
            for r in batch { bytes += r.bytes }
            try appendDurably(bytes)
        } catch {
            outcome = .failed("\(error)")
            logger.error("spool: cannot append; the requests are refused and sent again by the apiserver", metadata: ["error": "\(error)"])
        }
        onSynced(monotonicSeconds() - began)
        for r in batch { r.done(outcome) }
        // Closed as soon as it is full, not at the next write: a full spool takes no next write,
        // and only closed segments are deleted once acknowledged.
        do {
            try rollIfFull()
        } catch {
            logger.error("spool: cannot start a new segment; appends go on in the current one", metadata: ["error": "\(error)"])
        }
    }

    /// A write and an fdatasync; on failure the segment is cut back to where it was.
    private func appendDurably(_ bytes: [UInt8]) throws {
        guard var segment = currentSegment else { throw SpoolError("no open segment") }
        let fd = currentDescriptor
        var written = 0
        let failure: Int32? = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            return fdatasync(fd) == 0 ? nil : errno
        }
        if let failure {
            _ = ftruncate(fd, off_t(segment.size))
            throw SpoolError("\(segment.path): \(String(cString: strerror(failure)))")
        }
        segment.size += UInt64(bytes.count)
        setCurrent(segment, added: UInt64(bytes.count))
    }

    private func rollIfFull() throws {
        guard let segment = currentSegment, segment.size >= settings.segmentBytes else { return }
        try openSegment(number: segment.number + 1)
    }
}

struct SpoolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
