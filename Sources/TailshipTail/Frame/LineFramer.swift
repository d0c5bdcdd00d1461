#if canImport(Glibc)
import Glibc
#endif

/// What the framer hands out while scanning a chunk.
public enum FramedPiece {
    /// A complete line without its `\n`; `end` is the file offset just after the `\n`.
    case line(UnsafeRawBufferPointer, end: UInt64)
    /// Part of a line longer than `maxLineBytes`; parts arrive in order, `first` marks the start.
    case oversizePart(UnsafeRawBufferPointer, first: Bool)
    /// The oversize line ended; `end` is the offset after its `\n`, `length` its size without it.
    case oversizeEnd(end: UInt64, length: Int)
}

/// Splits a byte stream on `\n`. A partial line is carried between chunks, but
/// never more than `maxLineBytes` of it: beyond that the line is streamed out
/// as oversize parts, so memory stays bounded whatever the input.
public struct LineFramer: Sendable {
    public let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var oversizeLength = 0
    private var inOversize = false

    public init(maxLineBytes: Int) {
        precondition(maxLineBytes > 0)
        self.maxLineBytes = maxLineBytes
    }

    /// True while the held-back buffer is no larger than the limit allows.
    var pendingCapacityWithinLimit: Bool { pending.count <= maxLineBytes }

    /// Bytes of an incomplete line held back (or streamed as oversize) so far.
    public var carriedBytes: Int { inOversize ? oversizeLength : pending.count }

    /// Scans `chunk`, which starts at file offset `base`.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, base: UInt64, _ emit: (FramedPiece) -> Void) {
        guard let start = chunk.baseAddress else { return }
        let count = chunk.count
        var i = 0
        while i < count {
            let remaining = count - i
            if let hit = memchr(start + i, 0x0A, remaining) {
                let j = start.distance(to: UnsafeRawPointer(hit))
                let segment = UnsafeRawBufferPointer(start: start + i, count: j - i)
                complete(segment, end: base + UInt64(j + 1), emit)
                i = j + 1
            } else {
                carry(UnsafeRawBufferPointer(start: start + i, count: remaining), emit)
                i = count
            }
        }
    }

    /// Emits a held partial line as complete (used when its file is gone and idle).
    public mutating func flushPartial(end: UInt64, _ emit: (FramedPiece) -> Void) {
        if inOversize {
            emit(.oversizeEnd(end: end, length: oversizeLength))
            inOversize = false
            oversizeLength = 0
        } else if !pending.isEmpty {
            pending.withUnsafeBytes { emit(.line($0, end: end)) }
            pending.removeAll(keepingCapacity: false)
        }
    }

    /// Forgets any partial line (after truncation, the bytes it belonged to are gone).
    public mutating func reset() {
        pending.removeAll(keepingCapacity: false)
        inOversize = false
        oversizeLength = 0
    }

    private mutating func complete(_ segment: UnsafeRawBufferPointer, end: UInt64, _ emit: (FramedPiece) -> Void) {
        if inOversize {
            emit(.oversizePart(segment, first: false))
            emit(.oversizeEnd(end: end, length: oversizeLength + segment.count))
            inOversize = false
            oversizeLength = 0
        } else if pending.isEmpty {
            if segment.count > maxLineBytes {
                emit(.oversizePart(segment, first: true))
                emit(.oversizeEnd(end: end, length: segment.count))
            } else {
                emit(.line(segment, end: end))
            }
        } else if pending.count + segment.count > maxLineBytes {
            let length = pending.count + segment.count
            pending.withUnsafeBytes { emit(.oversizePart($0, first: true)) }
            emit(.oversizePart(segment, first: false))
            emit(.oversizeEnd(end: end, length: length))
            pending.removeAll(keepingCapacity: false)
        } else {
            pending.append(contentsOf: segment)
            pending.withUnsafeBytes { emit(.line($0, end: end)) }
            pending.removeAll(keepingCapacity: true)
        }
    }

    private mutating func carry(_ rest: UnsafeRawBufferPointer, _ emit: (FramedPiece) -> Void) {
        if inOversize {
            emit(.oversizePart(rest, first: false))
            oversizeLength += rest.count
        } else if pending.count + rest.count > maxLineBytes {
            inOversize = true
            oversizeLength = pending.count + rest.count
            if pending.isEmpty {
                emit(.oversizePart(rest, first: true))
            } else {
                pending.withUnsafeBytes { emit(.oversizePart($0, first: true)) }
                emit(.oversizePart(rest, first: false))
            }
            pending.removeAll(keepingCapacity: false)
        } else {
            pending.append(contentsOf: rest)
        }
    }
}
