import Foundation
import Logging
import Synchronization
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// Appends requests' lines to the current spool segment and makes them durable before
/// answering. One thread writes: whatever requests wait are written together and synced
/// once (a group commit), so many connections cost one fsync. Segments are only appended
/// to; a new one is started when the current one is full, and one is deleted only when
/// the daemon says every output has acknowledged it.
public final class SpoolWriter: @unchecked Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Written and synced.
        case appended
        /// Over `max_bytes` with what is spooled and waiting: nothing written.
        case full
        /// Could not be written (a full disk): nothing of it kept.
        case failed(String)
    }

    struct Request {
        var bytes: [UInt8]
        var done: @Sendable (Outcome) -> Void
    }

    let settings: SpoolSettings
    let logger: Logger
    private let condition = NSCondition()
    /// Under `condition`.
    private var pending: [Request] = []
    private var pendingBytes: UInt64 = 0
    private var stopping = false
    private var stopped = false
    /// Under `condition`: the closed segments, and the bytes of every segment.
    private var closed: [SpoolSegment] = []
    private var spooled: UInt64 = 0
    /// Writer thread only (and `init`).
    private(set) var currentSegment: SpoolSegment?
    private(set) var currentDescriptor: Int32 = -1
    /// Seconds each write and sync took (for the latency histogram).
    let onSynced: @Sendable (Double) -> Void

    /// Opens the spool: existing segments are kept (cut back to their last whole line) and closed;
    /// appends go to a new one.
    public init(settings: SpoolSettings, logger: Logger, onSynced: @escaping @Sendable (Double) -> Void = { _ in }) throws {
        self.settings = settings
        self.logger = logger
        self.onSynced = onSynced
        try FileManager.default.createDirectory(atPath: settings.directory, withIntermediateDirectories: true)
        var segments = SpoolSegment.list(settings.directory)
        if !segments.isEmpty {
            let dropped = SpoolSegment.repairTail(&segments[segments.count - 1])
            if dropped > 0 {
                logger.warning("spool: cut an unfinished last line (never answered 200; the apiserver sends it again)",
                               metadata: ["segment": "\(segments[segments.count - 1].path)", "bytes": "\(dropped)"])
            }
        }
        closed = segments
        spooled = segments.reduce(0) { $0 + $1.size }
        try openSegment(number: (segments.last?.number ?? 0) + 1)
        let thread = Thread { [self] in run() }
        thread.name = "tailship-spool"
        thread.start()
    }

    /// Queues `bytes` (whole lines); `done` is called on the writer thread once they are durable,
    /// or at once when the spool is full.
    public func append(_ bytes: [UInt8], done: @escaping @Sendable (Outcome) -> Void) {
        condition.lock()
        if stopping {
            condition.unlock()
            return done(.failed("shutting down"))
        }
        if spooled + pendingBytes + UInt64(bytes.count) > settings.maxBytes {
            condition.unlock()
            return done(.full)
        }
        pending.append(Request(bytes: bytes, done: done))
        pendingBytes += UInt64(bytes.count)
        condition.signal()
        condition.unlock()
    }

    /// Bytes in every segment, and the number of segments.
    public var usage: (bytes: UInt64, segments: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (spooled, closed.count + 1)
    }

    /// The segments no longer written to, oldest first.
    public var closedSegments: [SpoolSegment] {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Deletes a closed segment (every output acknowledged it).
    public func delete(_ segment: SpoolSegment) {
        condition.lock()
        defer { condition.unlock() }
        guard let i = closed.firstIndex(where: { $0.number == segment.number }) else { return }
        if unlink(segment.path) != 0 && errno != ENOENT {
            logger.error("spool: cannot delete an acknowledged segment", metadata: ["segment": "\(segment.path)", "errno": "\(errno)"])
            return
        }
        spooled -= min(spooled, closed[i].size)
        closed.remove(at: i)
        logger.info("spool: segment acknowledged by every output, deleted", metadata: ["segment": "\(segment.path)"])
    }

    /// Answers what waits, then stops; later appends fail.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopping { condition.wait() }
            let batch = pending
            pending = []
            pendingBytes = 0
            let exiting = stopping
            condition.unlock()
            if !batch.isEmpty { write(batch) }
            if exiting && batch.isEmpty { break }
        }
        if currentDescriptor >= 0 { close(currentDescriptor) }
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Closes the current segment (already synced) and starts segment `number`, durably created.
    func openSegment(number: UInt64) throws {
        let path = "\(settings.directory)/\(SpoolSegment.name(number))"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SpoolError("cannot create \(path): \(String(cString: strerror(errno)))") }
        fsyncDirectory(settings.directory)
        var st = stat()
        fstat(fd, &st)
        let segment = SpoolSegment(number: number, path: path, identity: FileIdentity(st), size: 0)
        if currentDescriptor >= 0 { close(currentDescriptor) }
        condition.lock()
        if let old = currentSegment { closed.append(old) }
        condition.unlock()
        currentSegment = segment
        currentDescriptor = fd
    }

    /// The current segment grew by `added` synced bytes.
    func setCurrent(_ segment: SpoolSegment, added: UInt64) {
        condition.lock()
        spooled += added
        condition.unlock()
        currentSegment = segment
    }
}
