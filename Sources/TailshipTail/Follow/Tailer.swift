import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Receives what the tailer frames. Called on the reader thread; may block
/// (that is how backpressure reaches the reader).
public protocol TailHandler: AnyObject {
    func handle(_ piece: FramedPiece, from follower: Follower)
}

/// Finds files, follows each across rename rotation and truncation, and frames
/// their bytes into lines. Confined to one thread: call `poll` in a loop.
public final class Tailer: @unchecked Sendable {
    public let options: TailOptions
    public let discovery: PathDiscovery
    private let registry: Registry
    private let observer: any TailObserver
    private let logger: Logger
    public private(set) var followers: [Follower] = []
    private var buffer: UnsafeMutableRawBufferPointer
    private var initialScanDone = false
    private var failingPaths = Set<String>()
    private var lastTouch = 0.0

    public init(options: TailOptions, registry: Registry, observer: any TailObserver = NoTailObserver(), logger: Logger) {
        self.options = options
        self.discovery = PathDiscovery(patterns: options.patterns)
        self.registry = registry
        self.observer = observer
        self.logger = logger
        self.buffer = .allocate(byteCount: options.readBufferBytes, alignment: 64)
    }

    deinit {
        buffer.deallocate()
    }

    /// One pass: find files, read what is new in each. Returns bytes read.
    @discardableResult
    public func poll(_ handler: TailHandler) -> Int {
        scan()
        var total = 0
        for follower in followers {
            total += drain(follower, handler)
        }
        retireDrained(handler)
        return total
    }

    /// Identities currently open.
    public var openIdentities: Set<FileIdentity> { Set(followers.map(\.identity)) }

    private func scan() {
        let now = Date().timeIntervalSince1970
        var present = Set<FileIdentity>()
        for path in discovery.expand() {
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            let identity = FileIdentity(st)
            present.insert(identity)
            if let existing = followers.first(where: { $0.identity == identity }) {
                if existing.rotatedAway {
                    existing.rotatedAway = false
                    existing.path = path
                }
                continue
            }
            if let follower = open(path, now: now) {
                present.insert(follower.identity)
                followers.append(follower)
            }
        }
        for follower in followers where !follower.rotatedAway && !present.contains(follower.identity) {
            follower.rotatedAway = true
            logger.info("file rotated away; reading it to its end", metadata: ["path": "\(follower.path)", "offset": "\(follower.readOffset)"])
        }
        if now - lastTouch > 30 {
            lastTouch = now
            for follower in followers {
                registry.touch(follower.identity, path: follower.path, fingerprint: nil, now: now)
            }
            registry.prune(olderThan: now - options.forgetAfterSeconds, keep: openIdentities)
        }
        initialScanDone = true
    }

    private func open(_ path: String, now: Double) -> Follower? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if failingPaths.insert(path).inserted {
                logger.error("cannot open file", metadata: ["path": "\(path)", "error": "\(String(cString: strerror(errno)))"])
                observer.readError(path: path, errno: errno)
            }
            return nil
        }
        failingPaths.remove(path)
        var st = stat()
        guard fstat(fd, &st) == 0, let fingerprint = Fingerprint.read(fd: fd) else {
            close(fd)
            return nil
        }
        let identity = FileIdentity(st)
        if followers.contains(where: { $0.identity == identity }) {
            close(fd)
            return nil
        }
        let size = UInt64(st.st_size)
        var offset: UInt64
        if let entry = registry.entry(for: identity), let known = entry.fingerprintValue,
           known.length <= fingerprint.length,
           known.length == fingerprint.length ? known.hash == fingerprint.hash : known.matches(fd: fd) {
            offset = entry.offset
            if offset > size {
                logger.warning("file is shorter than its committed offset (truncated while stopped); reading it from the start",
                               metadata: ["path": "\(path)", "offset": "\(offset)", "size": "\(size)"])
                offset = 0
            } else {
                logger.info("resuming file", metadata: ["path": "\(path)", "offset": "\(offset)", "size": "\(size)"])
            }
        } else {
            offset = (!initialScanDone && options.startAtEnd) ? size : 0
            logger.info("following new file", metadata: ["path": "\(path)", "offset": "\(offset)", "size": "\(size)"])
        }
        let entry = RegistryEntry(identity: identity, fingerprint: fingerprint, path: path, offset: offset, lastSeen: now)
        let epoch = registry.track(entry)
        observer.fileOpened(path: path)
        return Follower(fd: fd, identity: identity, path: path, fingerprint: fingerprint, epoch: epoch,
                        offset: offset, maxLineBytes: options.maxLineBytes, now: monotonicSeconds())
    }

    private func drain(_ follower: Follower, _ handler: TailHandler) -> Int {
        var total = 0
        // A rotated-away file is finite and older than anything else: finish it
        // first, so lines keep their order across rotation.
        while follower.rotatedAway || total < options.passBudgetBytes {
            let n = follower.read(into: buffer)
            if n < 0 {
                logger.error("read failed", metadata: ["path": "\(follower.path)", "error": "\(String(cString: strerror(Int32(-n))))"])
                observer.readError(path: follower.path, errno: Int32(-n))
                break
            }
            if n == 0 {
                if let size = follower.size, size < follower.readOffset {
                    truncated(follower, size: size)
                    continue
                }
                break
            }
            let base = follower.readOffset
            follower.framer.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), base: base) { piece in
                handler.handle(piece, from: follower)
            }
            follower.readOffset = base + UInt64(n)
            follower.lastDataAt = monotonicSeconds()
            total += n
        }
        if total > 0 {
            observer.bytesRead(total)
            if follower.refreshFingerprint() {
                registry.touch(follower.identity, path: follower.path, fingerprint: follower.fingerprint, now: Date().timeIntervalSince1970)
            }
        }
        return total
    }

    private func truncated(_ follower: Follower, size: UInt64) {
        logger.warning("file truncated (copytruncate?); reading it again from the start",
                       metadata: ["path": "\(follower.path)", "offset": "\(follower.readOffset)", "size": "\(size)"])
        observer.fileTruncated(path: follower.path)
        follower.framer.reset()
        follower.readOffset = 0
        follower.epoch = registry.reset(follower.identity, offset: 0)
    }

    /// Lets go of renamed or deleted files once read to their end.
    private func retireDrained(_ handler: TailHandler) {
        let now = monotonicSeconds()
        followers.removeAll { follower in
            guard follower.rotatedAway, let size = follower.size, follower.readOffset >= size else { return false }
            if follower.framer.carriedBytes > 0 {
                guard now - follower.lastDataAt >= options.rotatedIdleSeconds else { return false }
                logger.warning("shipping last line without newline of a rotated file", metadata: ["path": "\(follower.path)"])
                follower.framer.flushPartial(end: follower.readOffset) { handler.handle($0, from: follower) }
            }
            logger.info("finished rotated file", metadata: ["path": "\(follower.path)", "offset": "\(follower.readOffset)"])
            observer.fileClosed(path: follower.path)
            return true
        }
    }

    /// Closes every file (at shutdown).
    public func closeAll() {
        followers.removeAll()
    }
}

/// Seconds on a clock that never jumps.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
