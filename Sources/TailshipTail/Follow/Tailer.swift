import Logging
import TailshipBasics

/// Receives what the tailer frames. Called on the reader thread; may block
/// (that is how backpressure reaches the reader).
public protocol TailHandler: AnyObject {
    func handle(_ piece: FramedPiece, from follower: Follower)
}

/// The driver of the rotation core for one input: lists the live files and
/// their backups through a `FileSystem`, observes each, has `RotationCore`
/// decide, carries the decisions out, and reads and frames the open files.
/// Confined to one thread: call `poll` in a loop.
public final class Tailer: @unchecked Sendable {
    public let options: TailOptions
    public let discovery: PathDiscovery
    let backupFinder: BackupFinder
    let registry: Registry
    let observer: any TailObserver
    let logger: Logger
    let fileSystem: any FileSystem
    let time: any TimeSource
    /// The decisions and what they rest on.
    var core: RotationCore
    /// Open files: final ones (backups, rotated away) first, oldest first; live files last.
    public internal(set) var followers: [Follower] = []
    var buffer: UnsafeMutableRawBufferPointer
    var failingPaths = Set<String>()
    /// Configured paths that cannot be used now, with why (logged once each, until they can).
    var pathProblems: [String: String] = [:]
    private var lastTouch = 0.0
    var limitLogged = false
    /// A file was left for later this scan because `max_open_files` were open.
    var deferredThisScan = false
    /// Registry entries whose file was not found have been dealt with (once, at start-up).
    private var missingEntriesChecked = false
    /// Set when the order of `followers` changed during a pass.
    var passInterrupted = false

    /// Checked between reads: once true, reading ends early (shutdown).
    public var shouldStop: @Sendable () -> Bool = { false }

    /// True when nothing is open: with `stopAtEnd`, everything found was read.
    public var isDrained: Bool { followers.isEmpty }

    public init(options: TailOptions, registry: Registry, observer: any TailObserver = NoTailObserver(), logger: Logger,
                fileSystem: any FileSystem = PosixFileSystem(), time: any TimeSource = SystemTime()) {
        self.options = options
        self.fileSystem = fileSystem
        self.time = time
        self.discovery = PathDiscovery(patterns: options.patterns, fileSystem: fileSystem)
        self.backupFinder = BackupFinder(policy: options.backups, fileSystem: fileSystem)
        self.registry = registry
        self.observer = observer
        self.logger = logger
        self.buffer = .allocate(byteCount: options.readBufferBytes, alignment: 64)
        let coreOptions = RotationCore.Options(startAtEnd: options.startAtEnd, shipHistory: options.shipHistory,
                                               stopAtEnd: options.stopAtEnd, rotatedIdleSeconds: options.rotatedIdleSeconds)
        let patterns = options.patterns
        let history = registry.entries.contains { Self.belongs($0.path, to: patterns) }
        core = RotationCore(options: coreOptions, inputHasHistory: history)
    }

    deinit {
        buffer.deallocate()
    }

    /// One pass: find files, read what is new in each. Returns bytes read.
    @discardableResult
    public func poll(_ handler: TailHandler) -> Int {
        scan()
        var total = 0
        passInterrupted = false
        for follower in followers {
            total += drain(follower, handler)
            // A truncation put the copy's tail ahead of everything after it: start a new pass.
            if passInterrupted { break }
        }
        finishDrained(handler)
        return total
    }

    /// Bytes not yet read in the open plain files (a .gz counts its compressed
    /// size until it is opened, as it is not known decompressed).
    public var backlogBytes: UInt64 {
        followers.reduce(0) { sum, f in
            guard f.gzip == nil, let size = f.size, size > f.readOffset else { return sum }
            return sum + (size - f.readOffset)
        }
    }

    /// Each open file's read offset, when none holds part of a line (nil otherwise): two readers
    /// with the same positions have handed out the same lines.
    public var levelPositions: [FileIdentity: UInt64]? {
        var positions: [FileIdentity: UInt64] = [:]
        for f in followers {
            guard f.framer.carriedBytes == 0 else { return nil }
            positions[f.identity] = f.readOffset
        }
        return positions
    }

    /// Identities currently open.
    public var openIdentities: Set<FileIdentity> { Set(followers.map(\.identity)) }

    /// Closes every file (at shutdown).
    public func closeAll() {
        followers.removeAll()
    }

    private func scan() {
        let now = time.wall
        deferredThisScan = false
        // Truncations first: a copy made by copytruncate must be matched to the file's
        // old contents before the backups are looked at (another copy may be newer).
        for follower in followers {
            handleTruncation(follower)
        }
        let presentLive = scanPaths(now: now)
        let clock = time.monotonic
        expireAwaitedCopies(now: clock)
        core.forgetStaleSettling(now: clock)
        for follower in followers where follower.phase == .live && !presentLive.contains(follower.identity) {
            follower.phase = .rotatedAway
            logger.info("file rotated away; reading it to its end", metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)", "file_id": "\(follower.identity)"])
        }
        // Final files first, so a rotated file is finished before its successor is read.
        followers = followers.filter(\.isFinal) + followers.filter { !$0.isFinal }
        // Only once every file was looked at: a file waiting for a free slot (max_open_files)
        // is neither open nor seen yet, and its entry is not lost.
        if !missingEntriesChecked && !deferredThisScan {
            reportMissingEntries()
            missingEntriesChecked = true
        }
        if now - lastTouch > 30 {
            lastTouch = now
            touchRegistry(now: now)
        }
        core.initialScanDone = true
    }

    /// Keeps the entries of open and seen files alive, drops the long unseen, reports the backlog.
    private func touchRegistry(now: Double) {
        let backlog = backlogBytes
        observer.backlog(bytes: backlog)
        if backlog > 0 {
            logger.info("unread bytes in followed files", metadata: ["backlog_bytes": "\(backlog)", "open_files": "\(followers.count)"])
        }
        for follower in followers {
            registry.touch(follower.identity, path: follower.path, size: follower.gzip == nil ? follower.size : nil, now: now)
            core.seen.insert(follower.identity)
        }
        for identity in core.seen where !followers.contains(where: { $0.identity == identity }) {
            registry.touch(identity, now: now)
        }
        registry.prune(olderThan: now - options.forgetAfterSeconds, keep: core.seen)
        // Kept until the entries of files not found were dealt with.
        if missingEntriesChecked { core.seen.removeAll() }
    }

    /// Registry entries whose file is gone before it was shipped: say so, count, forget.
    private func reportMissingEntries() {
        for (entry, decision) in core.missingEntries(registry.entries, open: openIdentities) {
            switch decision {
            case .readElsewhere:
                logger.debug("file gone, its content is read under another name", metadata: [
                    "file": "\(entry.path)", "file_id": "\(entry.identity)", "offset": "\(entry.offset)"])
            case .reportLost(let unshipped):
                logger.error("file deleted before it was fully shipped; its unshipped lines are lost", metadata: [
                    "file": "\(entry.path)", "file_id": "\(entry.identity)", "offset": "\(entry.offset)",
                    "unshipped_bytes": "\(unshipped.map { "\($0)" } ?? "unknown")",
                ])
                observer.fileLost(path: entry.path, unshippedBytes: unshipped)
            }
            registry.remove(entry.identity)
        }
    }

    /// A file this process read to its end: neither it nor a twin of it is read again.
    func markFinished(_ identity: FileIdentity, fingerprint: Fingerprint) {
        core.markFinished(identity, fingerprint: fingerprint)
    }
}

/// The core's view of the registry and the open files.
extension Tailer: RotationView {
    func entry(for identity: FileIdentity) -> RegistryEntry? { registry.entry(for: identity) }
    func entries(matchingHead head: [UInt8]) -> [RegistryEntry] { registry.entries(matchingHead: head) }
    var registryCreatedAt: Double { registry.createdAt }
    func isOpen(_ identity: FileIdentity) -> Bool { followers.contains { $0.identity == identity } }

    func openPlainFile(startingLike head: [UInt8]) -> (path: String, identity: FileIdentity)? {
        followers.first { $0.gzip == nil && $0.startsLike(head) }.map { ($0.path, $0.identity) }
    }
}
