import TailshipBasics
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

/// Finds the live files and their backups, follows each across rename
/// rotation, compression and truncation, and frames their bytes into lines.
/// Confined to one thread: call `poll` in a loop.
public final class Tailer: @unchecked Sendable {
    public let options: TailOptions
    public let discovery: PathDiscovery
    let backupFinder: BackupFinder
    let registry: Registry
    let observer: any TailObserver
    let logger: Logger
    /// Open files: final ones (backups, rotated away) first, oldest first; live files last.
    public internal(set) var followers: [Follower] = []
    var buffer: UnsafeMutableRawBufferPointer
    private var initialScanDone = false
    private var failingPaths = Set<String>()
    /// Configured paths that cannot be used now, with why (logged once each, until they can).
    private var pathProblems: [String: String] = [:]
    private var lastTouch = 0.0
    /// Files this process read to their end: their twins (a .gz, a copy) are not read again.
    var finished: [FileIdentity: Fingerprint] = [:]
    /// The same, by content: survives the inode being reused by another file.
    var finishedContent = Set<Fingerprint>()
    /// Files already decided against, while unchanged, with the registry entry they belong to.
    var skipped: [FileState: FileIdentity?] = [:]
    /// Registry entries matched since the last touch.
    var seen = Set<FileIdentity>()
    private var limitLogged = false
    /// Set when the order of `followers` changed during a pass.
    var passInterrupted = false
    /// .gz files seen incomplete (still being written), while unchanged.
    private var incomplete = Set<FileState>()
    /// Truncated files whose copy was not among the backups yet: a copy that
    /// appears later (logrotate still copying or compressing) resumes after what was read.
    var awaitingCopy: [AwaitedCopy] = []

    /// Short plain backups not yet decided on: size when first seen at it, and since when.
    var settlingBackups: [FileIdentity: (size: Int64, since: Double)] = [:]
    static let backupSettleSeconds = 0.1

    /// How long a truncated file's copy is waited for before its unread tail is reported lost.
    static let copyWaitSeconds = 60.0
    /// Whether the registry knew files of this input at start-up; if not, `start_at` decides.
    private lazy var inputHasHistory: Bool = registry.entries.contains { belongsToInput($0.path) }

    /// One file as a backfill would read it.
    public struct PlanEntry: Sendable, Equatable {
        public var path: String
        /// Bytes on disk.
        public var size: UInt64
        public var compressed: Bool
        /// Bytes of content (decompressed for .gz, from its gzip trailer).
        public var contentBytes: UInt64
        /// Bytes already delivered per the registry.
        public var delivered: UInt64
        /// Why it is not read, if it is not.
        public var skipReason: String?

        public var toSend: UInt64 { skipReason == nil && contentBytes > delivered ? contentBytes - delivered : 0 }
    }

    /// Checked between reads: once true, reading ends early (shutdown).
    public var shouldStop: @Sendable () -> Bool = { false }

    /// Set while planning: `consider` records here instead of opening.
    private var planned: [PlanEntry]?

    /// What a backfill would read, without reading or changing anything.
    public func plan() -> [PlanEntry] {
        planned = []
        defer { planned = nil }
        scanPaths(now: Date().timeIntervalSince1970)
        return planned ?? []
    }

    /// True when nothing is open: with `stopAtEnd`, everything found was read.
    public var isDrained: Bool { followers.isEmpty }

    struct FileState: Hashable {
        var identity: FileIdentity
        var size: Int64
        var mtime: Int64
    }

    public init(options: TailOptions, registry: Registry, observer: any TailObserver = NoTailObserver(), logger: Logger) {
        self.options = options
        self.discovery = PathDiscovery(patterns: options.patterns)
        self.backupFinder = BackupFinder(policy: options.backups)
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
        passInterrupted = false
        for follower in followers {
            total += drain(follower, handler)
            // A truncation put the copy's tail ahead of everything after it: start a new pass.
            if passInterrupted { break }
        }
        retireDrained(handler)
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

    /// Identities currently open.
    public var openIdentities: Set<FileIdentity> { Set(followers.map(\.identity)) }

    // MARK: Discovery

    /// Considers every backup (oldest first) and live file; returns the live identities seen.
    @discardableResult
    private func scanPaths(now: Double) -> Set<FileIdentity> {
        let (matched, problems) = discovery.expandReporting()
        notePathProblems(problems)
        // Backups of the live files, and of literal paths whose live file is missing right now.
        let literal = options.patterns.filter { !$0.contains(where: { "*?[".contains($0) }) }
        var backups = backupFinder.backups(of: Array(Set(matched + literal)).sorted())
        let backupPaths = Set(backups.map(\.path))
        var liveOutsideRange = false
        if options.since != nil || options.until != nil {
            // A backup's name time is when it was rotated: its last line. It lies wholly
            // before `since` if that time does; wholly after `until` if its predecessor's does.
            var kept: [Backup] = []
            var previous: Double?
            for b in backups {
                let before = b.named && options.since.map { b.time < $0 } == true
                let after = b.named && previous.flatMap { p in options.until.map { p > $0 } } == true
                if before || after {
                    planned?.append(PlanEntry(path: b.path, size: Self.fileSize(b.path), compressed: b.compressed, contentBytes: 0,
                                              delivered: 0, skipReason: "outside --since/--until by its name"))
                } else {
                    kept.append(b)
                }
                previous = b.named ? b.time : nil
            }
            if let last = backups.last, last.named, let until = options.until, last.time > until { liveOutsideRange = true }
            backups = kept
        }
        var presentLive = Set<FileIdentity>()
        for backup in backups {
            consider(backup.path, backup: backup, now: now, presentLive: &presentLive)
        }
        let liveCandidates = matched.filter { !backupPaths.contains($0) }
        for path in liveCandidates {
            if liveOutsideRange {
                planned?.append(PlanEntry(path: path, size: Self.fileSize(path), compressed: false, contentBytes: 0, delivered: 0,
                                          skipReason: "outside --since/--until (rotated after --until)"))
                var st = stat()
                if stat(path, &st) == 0 { presentLive.insert(FileIdentity(st)) }
                continue
            }
            consider(path, backup: nil, now: now, presentLive: &presentLive)
        }
        // A backup made after the listing above (a rename, a copytruncate copy)
        // predates any live file just opened: take it now, so its lines come first.
        if planned == nil && options.since == nil && options.until == nil {
            for backup in backupFinder.backups(of: Array(Set(matched + literal)).sorted()) where !backupPaths.contains(backup.path) {
                consider(backup.path, backup: backup, now: now, presentLive: &presentLive)
            }
        }
        return presentLive
    }

    /// Logs and counts each unusable path once, and says when it can be used again.
    private func notePathProblems(_ problems: [(path: String, reason: String)]) {
        var now: [String: String] = [:]
        for (path, reason) in problems {
            now[path] = reason
            guard pathProblems[path] != reason else { continue }
            logger.error("cannot follow path; will keep looking", metadata: ["file": "\(path)", "error": "\(reason)"])
            observer.readError(path: path, errno: 0)
        }
        for path in pathProblems.keys where now[path] == nil {
            logger.notice("path no longer fails", metadata: ["file": "\(path)"])
        }
        pathProblems = now
    }

    static func fileSize(_ path: String) -> UInt64 {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_size) : 0
    }

    private func scan() {
        let now = Date().timeIntervalSince1970
        // Truncations first: a copy made by copytruncate must be matched to the file's
        // old contents before the backups are looked at (another copy may be newer).
        for follower in followers {
            handleTruncation(follower)
        }
        let presentLive = scanPaths(now: now)
        let clock = monotonicSeconds()
        expireAwaitedCopies(now: clock)
        // Backups that went away while settling.
        settlingBackups = settlingBackups.filter { clock - $0.value.since < Self.copyWaitSeconds }
        for follower in followers where !follower.isFinal && !presentLive.contains(follower.identity) {
            follower.rotatedAway = true
            logger.info("file rotated away; reading it to its end", metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)", "file_id": "\(follower.identity)"])
        }
        // Final files first, so a rotated file is finished before its successor is read.
        followers = followers.filter(\.isFinal) + followers.filter { !$0.isFinal }
        if !initialScanDone {
            reportLost()
        }
        if now - lastTouch > 30 {
            lastTouch = now
            let backlog = backlogBytes
            observer.backlog(bytes: backlog)
            if backlog > 0 {
                logger.info("unread bytes in followed files", metadata: ["backlog_bytes": "\(backlog)", "open_files": "\(followers.count)"])
            }
            for follower in followers {
                registry.touch(follower.identity, path: follower.path, size: follower.gzip == nil ? follower.size : nil, now: now)
                seen.insert(follower.identity)
            }
            for identity in seen where !followers.contains(where: { $0.identity == identity }) {
                registry.touch(identity, now: now)
            }
            registry.prune(olderThan: now - options.forgetAfterSeconds, keep: seen)
            seen.removeAll()
        }
        initialScanDone = true
    }

    /// Registry entries whose file is gone before it was shipped: say so, count, forget.
    /// An entry whose content lives on under another identity that is being read
    /// or was seen (its .gz, resumed in an earlier run) is not lost: it is dropped quietly.
    private func reportLost() {
        let open = openIdentities
        let entries = registry.entries
        let live = Set(entries.filter { seen.contains($0.identity) || open.contains($0.identity) }
            .compactMap { e in e.fingerprintLength > 0 ? "\(e.fingerprintLength):\(e.fingerprint)" : nil })
        for entry in entries where !seen.contains(entry.identity) && !open.contains(entry.identity) && !entry.isFullyShipped {
            if entry.fingerprintLength > 0, live.contains("\(entry.fingerprintLength):\(entry.fingerprint)") {
                logger.debug("file gone, its content is read under another name", metadata: [
                    "file": "\(entry.path)", "file_id": "\(entry.identity)", "offset": "\(entry.offset)"])
                registry.remove(entry.identity)
                continue
            }
            let known = entry.finalSize ?? entry.size
            let unshipped = known.map { $0 > entry.offset ? $0 - entry.offset : 0 }
            logger.error("file deleted before it was fully shipped; its unshipped lines are lost", metadata: [
                "file": "\(entry.path)", "file_id": "\(entry.identity)", "offset": "\(entry.offset)", "unshipped_bytes": "\(unshipped.map { "\($0)" } ?? "unknown")",
            ])
            observer.fileLost(path: entry.path, unshippedBytes: unshipped)
            registry.remove(entry.identity)
        }
    }

    private enum Decision {
        case skip(String, permanent: Bool, entry: FileIdentity?)
        case open(UInt64, String)
        /// Index into `awaitingCopy`.
        case copyOfTruncated(Int)
    }

    private func consider(_ path: String, backup: Backup?, now: Double, presentLive: inout Set<FileIdentity>) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return }
        let identity = FileIdentity(st)
        if backup == nil { presentLive.insert(identity) }
        if let existing = followers.first(where: { $0.identity == identity }) {
            if backup == nil && existing.rotatedAway && !existing.isBackup {
                existing.rotatedAway = false
                existing.path = path
            }
            return
        }
        let state = FileState(identity: identity, size: Int64(st.st_size), mtime: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
        if planned == nil {
            if let entry = skipped[state] {
                if let entry { seen.insert(entry) }
                return
            }
            if incomplete.contains(state) { return }
        }
        guard planned != nil || followers.count < options.maxOpenFiles else {
            observer.openFilesLimited()
            if !limitLogged {
                limitLogged = true
                logger.warning("max_open_files reached; other files wait their turn", metadata: ["max_open_files": "\(options.maxOpenFiles)"])
            }
            return
        }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if failingPaths.insert(path).inserted {
                logger.error("cannot open file", metadata: ["file": "\(path)", "error": "\(String(cString: strerror(errno)))"])
                observer.readError(path: path, errno: errno)
            }
            return
        }
        if failingPaths.remove(path) != nil {
            logger.notice("file can be opened again", metadata: ["file": "\(path)"])
        }
        // Renamed between the stat and the open (a rotation): the descriptor is another
        // file than the identity says. Look again next pass.
        var opened = stat()
        guard fstat(fd, &opened) == 0, FileIdentity(opened) == identity else {
            close(fd)
            return
        }
        let compressed = backup?.compressed ?? path.hasSuffix(".gz")
        // A .gz is only read once it is whole: while it is being written its
        // first bytes may not even identify it yet.
        if compressed && !GzipStreamReader.verify(fd: fd, scratch: buffer).complete {
            close(fd)
            planned?.append(PlanEntry(path: path, size: UInt64(st.st_size), compressed: true, contentBytes: 0, delivered: 0,
                                      skipReason: "compressed file not complete"))
            if planned != nil { return }
            incomplete.insert(state)
            observer.gzipIncomplete(path: path)
            logger.info("compressed file is not complete yet (no valid gzip trailer); will look again", metadata: ["file": "\(path)"])
            return
        }
        guard let head = compressed ? GzipStreamReader.head(fd: fd, limit: Fingerprint.maxLength) : Fingerprint.head(fd: fd) else {
            close(fd)
            return
        }
        // A plain backup too short to be identified may be a copy still being written
        // (copytruncate): decide on it once its size has held still for a moment. Not at
        // start-up: what is there then is decided by the first-start rules, in the first pass.
        if planned == nil, initialScanDone, backup != nil, !compressed, head.count < Fingerprint.maxLength {
            let clock = monotonicSeconds()
            guard let settling = settlingBackups[identity], settling.size == st.st_size else {
                settlingBackups[identity] = (Int64(st.st_size), clock)
                close(fd)
                return
            }
            guard clock - settling.since >= Self.backupSettleSeconds else {
                close(fd)
                return
            }
        }
        settlingBackups[identity] = nil
        let mtime = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
        let decision = decide(identity: identity, path: path, head: head, isBackup: backup != nil || compressed,
                              size: UInt64(st.st_size), mtime: mtime, now: now)
        if planned != nil {
            let content = compressed ? GzipStreamReader.trailerSize(fd: fd) : UInt64(st.st_size)
            close(fd)
            switch decision {
            case .skip(let reason, _, _):
                planned?.append(PlanEntry(path: path, size: UInt64(st.st_size), compressed: compressed, contentBytes: content,
                                          delivered: content, skipReason: reason))
            case .open(let offset, _):
                planned?.append(PlanEntry(path: path, size: UInt64(st.st_size), compressed: compressed, contentBytes: content,
                                          delivered: min(offset, content), skipReason: nil))
            case .copyOfTruncated(let i):
                planned?.append(PlanEntry(path: path, size: UInt64(st.st_size), compressed: compressed, contentBytes: content,
                                          delivered: min(awaitingCopy[i].offset, content), skipReason: nil))
            }
            return
        }
        switch decision {
        case .skip(let reason, let permanent, let entry):
            close(fd)
            if permanent { skipped[state] = entry }
            logger.debug("not reading file", metadata: ["file": "\(path)", "reason": "\(reason)"])
        case .copyOfTruncated(let i):
            openCopyOfTruncated(awaitingCopy.remove(at: i), fd: fd, path: path, state: state, head: head, compressed: compressed)
        case .open(let offset, let reason):
            var reader: GzipStreamReader?
            if compressed {
                let r = GzipStreamReader(fd: fd)
                guard r.skip(to: offset, scratch: buffer) else {
                    close(fd)
                    observer.gzipIncomplete(path: path)
                    logger.warning("compressed file ends before the committed offset (still being written?); will retry",
                                   metadata: ["file": "\(path)", "offset": "\(offset)"])
                    return
                }
                reader = r
            }
            var entry = RegistryEntry(identity: identity, fingerprint: Fingerprint(head: head), path: path, offset: offset, lastSeen: now)
            retireIfOtherContent(identity, head: head, path: path)
            // A final size belongs to that file only: after inode reuse the new file is not finished.
            if let old = registry.entry(for: identity), old.fingerprintValue?.identifies(head: head) == true {
                entry.finalSize = old.finalSize
            }
            let epoch = registry.track(entry)
            seen.insert(identity)
            logger.info("\(reason)", metadata: ["file": "\(path)", "offset": "\(offset)", "size": "\(st.st_size)", "file_id": "\(identity)"])
            observer.fileOpened(path: path)
            let follower = Follower(fd: fd, identity: identity, path: path, fingerprint: Fingerprint(head: head), epoch: epoch,
                                    offset: offset, maxLineBytes: options.maxLineBytes, now: monotonicSeconds(),
                                    gzip: reader, isBackup: backup != nil || compressed)
            follower.stopAtEnd = options.stopAtEnd
            followers.append(follower)
        }
    }

    /// Where to read a file from, if at all, by what the registry knows of it.
    private func decide(identity: FileIdentity, path: String, head: [UInt8], isBackup: Bool, size: UInt64, mtime: Double, now: Double) -> Decision {
        // 1. The same file, known by its identity and first bytes.
        if let fp = finished[identity], fp.identifies(head: head) {
            return .skip("read to its end by this process", permanent: true, entry: identity)
        }
        if let entry = registry.entry(for: identity), let known = entry.fingerprintValue, known.identifies(head: head) {
            seen.insert(identity)
            if entry.isFullyShipped { return .skip("already shipped", permanent: true, entry: identity) }
            if entry.offset > size && !path.hasSuffix(".gz") {
                return .open(0, "file is shorter than its committed offset (truncated while stopped); reading it from the start")
            }
            return .open(entry.offset, entry.offset > 0 ? "resuming file" : "following file")
        }
        // 2. The same content under another identity: a .gz of it, or a copy.
        // First the copy of a file truncated before its copy was there to be found.
        if let i = awaitingCopy.firstIndex(where: { $0.fingerprint.length > 0 && $0.fingerprint.matches(head: head) }) {
            return .copyOfTruncated(i)
        }
        let twins = registry.entries(matchingHead: head).filter { $0.identity != identity }
        let readHere = { (t: RegistryEntry) in t.fingerprintValue.map { self.finishedContent.contains($0) } ?? false }
        // An open file is busy with a twin's content only if that is still its content (not a retired entry of its inode).
        let openWith = { (t: RegistryEntry) in
            self.followers.contains { $0.identity == t.identity } && self.registry.entry(for: t.identity)?.fingerprint == t.fingerprint
        }
        if let busy = twins.first(where: { t in readHere(t) || openWith(t) }) {
            return .skip("same content as \(busy.path), read by this process", permanent: readHere(busy), entry: busy.identity)
        }
        if let best = twins.first {
            seen.insert(best.identity)
            // Shipped to its end, unless this file is longer (a live file that went on growing).
            if best.isFullyShipped && (path.hasSuffix(".gz") || size <= best.finalSize ?? 0) {
                // Known under its own identity from now on, whatever becomes of the original's inode.
                var entry = best
                entry.device = identity.device
                entry.inode = identity.inode
                entry.path = path
                entry.lastSeen = now
                registry.track(entry)
                seen.insert(identity)
                return .skip("already shipped as \(best.path)", permanent: true, entry: identity)
            }
            return .open(best.offset, "resuming \(best.path) inside its rotated copy")
        }
        // The content of an open file not read far enough to be fingerprinted (rotated and
        // compressed before its first read), or a copy still short: it is read there.
        if isBackup, !head.isEmpty, let open = followers.first(where: { $0.gzip == nil && $0.startsLike(head) }) {
            return .skip("same content as \(open.path), being read by this process", permanent: false, entry: open.identity)
        }
        // 3. Never seen.
        if isBackup {
            if options.shipHistory {
                return .open(0, "shipping backup")
            }
            if !inputHasHistory && !initialScanDone {
                return options.startAtEnd ? .skip("backup present before the first start (start_at: end)", permanent: true, entry: nil)
                    : .open(0, "shipping backup present at first start")
            }
            if mtime < registry.createdAt {
                return .skip("backup older than the registry (history, not shipped)", permanent: true, entry: nil)
            }
            return .open(0, "shipping new backup")
        }
        return .open(!initialScanDone && !inputHasHistory && options.startAtEnd && !options.shipHistory ? size : 0, "following new file")
    }

    /// Whether `path` is one of this input's live files or their backups.
    private func belongsToInput(_ path: String) -> Bool {
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        for pattern in options.patterns {
            if fnmatch(pattern, path, FNM_PATHNAME) == 0 { return true }
            guard (pattern as NSString).deletingLastPathComponent == dir else { continue }
            if BackupFinder.classify(name, liveName: (pattern as NSString).lastPathComponent) != nil { return true }
        }
        return false
    }

    // MARK: Reading

    private func drain(_ follower: Follower, _ handler: TailHandler) -> Int {
        var total = 0
        var fingerprintGrew = false
        // Check before reading, too: a truncated file that already grew past our
        // offset again would otherwise hand us the middle of its new contents.
        if handleTruncation(follower) { return 0 }
        // A final file is finite and older than anything live: finish it first,
        // so lines keep their order across rotation.
        while (follower.isFinal || total < options.passBudgetBytes) && !shouldStop() {
            let n = follower.read(into: buffer)
            if n < 0 {
                logger.error("read failed", metadata: ["file": "\(follower.path)", "error": "\(String(cString: strerror(Int32(-n))))"])
                observer.readError(path: follower.path, errno: Int32(-n))
                break
            }
            if n == 0 {
                handleTruncation(follower)
                break
            }
            // Truncated and written again past our offset since the last look: these bytes
            // would be the middle of the new content. The old bytes are in the copy.
            if handleTruncation(follower) {
                break
            }
            let base = follower.readOffset
            if follower.noteRead(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), at: base) { fingerprintGrew = true }
            follower.framer.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), base: base) { piece in
                handler.handle(piece, from: follower)
            }
            follower.readOffset = base + UInt64(n)
            follower.lastDataAt = monotonicSeconds()
            total += n
        }
        if total > 0 {
            observer.bytesRead(total)
            if follower.refreshFingerprint() || fingerprintGrew {
                registry.touch(follower.identity, fingerprint: follower.fingerprint, now: Date().timeIntervalSince1970)
            }
        }
        return total
    }

    /// Lets go of final files once read to their end.
    private func retireDrained(_ handler: TailHandler) {
        let now = monotonicSeconds()
        followers.removeAll { follower in
            if follower.stopAtEnd && !follower.isFinal {
                // Backfill of a live file: up to its last complete line; the rest is the daemon's.
                guard follower.atEnd else { return false }
                markFinished(follower.identity, fingerprint: follower.fingerprint)
                logger.info("read live file to its current end", metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)"])
                return true
            }
            guard follower.isFinal else { return false }
            if let gzip = follower.gzip, !gzip.isComplete {
                if gzip.failed || follower.isDeleted {
                    logger.error("compressed file is corrupt or was deleted before it was complete; not finished",
                                 metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)"])
                    observer.gzipIncomplete(path: follower.path)
                    return true
                }
                return false
            }
            guard follower.atEnd else { return false }
            if follower.framer.carriedBytes > 0 {
                guard now - follower.lastDataAt >= options.rotatedIdleSeconds else { return false }
                logger.warning("shipping last line without newline of a rotated file", metadata: ["file": "\(follower.path)"])
                follower.framer.flushPartial(end: follower.readOffset) { handler.handle($0, from: follower) }
            }
            markFinished(follower.identity, fingerprint: follower.fingerprint)
            registry.finalize(follower.identity, size: follower.readOffset)
            logger.info("finished file", metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)", "file_id": "\(follower.identity)"])
            observer.fileClosed(path: follower.path)
            return true
        }
    }

    /// A file this process read to its end: neither it nor a twin of it is read again.
    func markFinished(_ identity: FileIdentity, fingerprint: Fingerprint) {
        finished[identity] = fingerprint
        finishedContent.insert(fingerprint)
    }

    /// Closes every file (at shutdown).
    public func closeAll() {
        followers.removeAll()
    }
}
