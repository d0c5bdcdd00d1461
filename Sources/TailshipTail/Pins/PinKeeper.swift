import Foundation
import Logging
import TailshipBasics

/// Takes and releases the pins of one input: every rotated file with bytes not
/// acknowledged gets a copy of those bytes in the pin directory as soon as it is
/// seen (extended while its rotator still writes it); a pin goes once its file
/// is acknowledged to its end; over the byte budget the oldest go first, reported. Runs on a thread of its own, so pins are taken
/// while reading waits on a slow output and whatever `max_open_files` is.
public final class PinKeeper: @unchecked Sendable {
    /// One output's acknowledged offsets: a file is shipped only when every output has it to its end.
    public struct Cursor: Sendable {
        public var name: String
        public var registry: Registry
        /// The registry of the reader feeding this output now (nil while none does). A file it
        /// knows was opened by that reader, which reads it through its descriptor or reports it lost itself.
        public var reading: Registry?
        public init(name: String, registry: Registry, reading: Registry? = nil) {
            self.name = name
            self.registry = registry
            self.reading = reading
        }
    }

    public struct Report: Sendable {
        public var pinnedBytes: UInt64 = 0
        public var pinnedFiles = 0
        /// Files this pass could not pin, the first time each failed.
        public var failures = 0
        /// Files lost to an output: pins released over budget whose original is gone, and rotated
        /// files deleted before that output read them; with the output's unshipped bytes.
        public var lost: [(path: String, unshippedBytes: UInt64, output: String)] = []
        /// Everything of this input each output has not yet acknowledged, by output.
        public var backlogs: [String: Backlog] = [:]
        /// The largest of them.
        public var backlog: Backlog { backlogs.values.max { $0.bytes < $1.bytes } ?? Backlog() }
    }

    public let directory: PinDirectory
    let options: TailOptions
    let maxBytes: UInt64
    /// Every output's cursor now (outputs come and go on reload).
    let cursors: @Sendable () -> [Cursor]
    let logger: Logger
    let looks: ContentLooks
    /// An earlier version's pin directory (hard links beside the log), adopted at start.
    let legacyDirectory: String?
    /// False with `pins.enabled: false`: files are only watched, for losses.
    let pinning: Bool
    /// Per output: what each one has not read may vanish for it alone.
    var watches: [String: LossWatch] = [:]
    /// Why pinning is off, once it is.
    public internal(set) var disabledReason: String?
    /// Released to stay within the budget: not pinned again while they exist.
    var releasedForBudget = Set<FileIdentity>()
    var failingPaths = Set<String>()
    /// Copies that failed for the first time since the last report.
    var newFailures = 0

    public init(directory: PinDirectory, options: TailOptions, maxBytes: UInt64, cursors: @escaping @Sendable () -> [Cursor],
                logger: Logger, pinning: Bool = true, legacyDirectory: String? = nil) {
        self.directory = directory
        self.looks = ContentLooks(pinDirectory: directory.path)
        self.legacyDirectory = legacyDirectory
        self.pinning = pinning
        self.options = options
        self.maxBytes = maxBytes
        self.cursors = cursors
        self.logger = logger
    }

    /// One output's registry.
    public convenience init(directory: PinDirectory, options: TailOptions, maxBytes: UInt64, registry: Registry, logger: Logger,
                            pinning: Bool = true) {
        self.init(directory: directory, options: options, maxBytes: maxBytes, cursors: { [Cursor(name: "default", registry: registry)] },
                  logger: logger, pinning: pinning)
    }

    /// Prepares the directory (created if missing, writable) and adopts an earlier
    /// version's hard-link pins as copies; on failure pinning is off, with why.
    @discardableResult
    public func start() -> String? {
        guard pinning else { return nil }
        disabledReason = directory.prepare()
        if disabledReason == nil, let legacy = legacyDirectory, legacy != directory.path,
           FileManager.default.fileExists(atPath: legacy) {
            let n = directory.adopt(legacy: legacy)
            logger.notice("pins of an earlier version (hard links beside the log) copied into the pin directory and unlinked",
                          metadata: ["pins": "\(n)", "from": "\(legacy)", "pin_directory": "\(directory.path)"])
        }
        return disabledReason
    }

    /// The rotated files of this input now (backups of `matched`, its live files), with their status.
    func candidates(matched: [String]) -> [(backup: Backup, status: FileStatus)] {
        let fs = PosixFileSystem()
        let searched = PathDiscovery(patterns: options.patterns).backupSearchPaths(matched: matched)
        return BackupFinder(policy: options.backups).backups(of: searched).compactMap { b in
            guard let s = try? fs.status(b.path).get(), s.isRegular else { return nil }
            return (b, s)
        }
    }

    /// This input's pins.
    public func pins() -> [Pin] { directory.list(for: options.patterns) }

    /// What a file holds now for each output, by its registry.
    func verdicts(path: String, status: FileStatus, compressed: Bool, cursors: [Cursor]) -> [String: PinVerdict]? {
        guard let look = looks.look(path: path, status: status, compressed: compressed) else { return nil }
        var out: [String: PinVerdict] = [:]
        for c in cursors {
            out[c.name] = PinVerdict.judge(head: look.head, contentLength: look.contentLength, modified: status.modifiedSeconds,
                                           entry: c.registry.entry(for: status.identity), copies: copies(of: look.head, in: c.registry),
                                           registryCreatedAt: c.registry.createdAt, shipHistory: options.shipHistory)
        }
        return out
    }

    /// What a file holds for the output furthest behind: unshipped while any output lacks bytes of it.
    func verdict(path: String, status: FileStatus, compressed: Bool, cursors: [Cursor]) -> PinVerdict? {
        guard let all = verdicts(path: path, status: status, compressed: compressed, cursors: cursors) else { return nil }
        return PinVerdict.furthestBehind(Array(all.values))
    }

    /// One pass: pin what is new and unshipped, release what is shipped, keep to the
    /// budget, and report rotated files that vanished unread.
    public func scan() -> Report {
        let cursors = self.cursors()
        let matched = PathDiscovery(patterns: options.patterns).expand()
        let found = candidates(matched: matched)
        let active = pinning && disabledReason == nil
        var pinned = active ? pins() : []
        var present: [String: [LossWatch.Present]] = [:]
        // Pins whose original is still at its own path (by identity and content: inodes are reused).
        var withOriginal = Set<String>()
        for (backup, status) in found {
            let all = verdicts(path: backup.path, status: status, compressed: backup.compressed, cursors: cursors)
            let head = looks.look(path: backup.path, status: status, compressed: backup.compressed)?.head ?? []
            for c in cursors {
                present[c.name, default: []].append(.init(identity: status.identity, path: backup.path, head: head, verdict: all?[c.name],
                                                          known: knows(status.identity, head: head, in: c.registry)))
            }
            guard active else { continue }
            if let i = pinned.firstIndex(where: { holds($0, identity: status.identity, head: head) }) {
                keepUp(&pinned[i], with: backup.path, status: status)
                withOriginal.insert(pinned[i].path)
                continue
            }
            guard !releasedForBudget.contains(status.identity),
                  case .unshipped(let n)? = all.flatMap({ PinVerdict.furthestBehind(Array($0.values)) }), n > 0,
                  let pin = take(backup, status: status, head: head, unshipped: n) else { continue }
            pinned.append(pin)
            withOriginal.insert(pin.path)
        }
        releaseShipped(&pinned, cursors: cursors)
        for pin in pinned {
            let head = looks.look(path: pin.path, status: status(of: pin), compressed: pin.compressed)?.head ?? []
            for c in cursors { present[c.name, default: []].append(.init(identity: pin.identity, path: pin.path, head: head, verdict: nil, known: true)) }
        }
        let presentIdentities = Set(found.map(\.status.identity))
        releasedForBudget.formIntersection(presentIdentities)
        looks.keep(Set(pinned.map(\.identity)).union(presentIdentities))
        var report = keepToBudget(pinned, withOriginal: withOriginal, cursors: cursors)
        report.lost += vanished(present, cursors: cursors)
        report.failures = newFailures
        newFailures = 0
        for c in cursors {
            report.backlogs[c.name] = backlog(matched: matched, rotated: found, pins: pinned, cursor: c)
        }
        return report
    }

    /// Releases the pins of files acknowledged to their end (or history, never to be shipped).
    func releaseShipped(_ pinned: inout [Pin], cursors: [Cursor]) {
        pinned.removeAll { pin in
            switch verdict(path: pin.path, status: status(of: pin), compressed: pin.compressed, cursors: cursors) {
            case .shipped?, .history?:
                directory.release(pin)
                logger.debug("pin released: file acknowledged to its end by every output", metadata: ["pin": "\(pin.path)"])
                return true
            default:
                return false
            }
        }
    }

    /// Whether `pin` keeps the file of this identity starting with `head` (an inode is
    /// reused once its file is deleted, so the content must be the pin's too).
    func holds(_ pin: Pin, identity: FileIdentity, head: [UInt8]) -> Bool {
        guard pin.identity == identity else { return false }
        let pinHead = looks.look(path: pin.path, status: status(of: pin), compressed: pin.compressed)?.head ?? []
        return LossWatch.sameContent(pinHead, head)
    }

    /// Whether the registry knows a pin's content (by its original's identity, or its first
    /// bytes): an inode is reused once its file is deleted, so identity alone does not tell.
    public func knows(_ pin: Pin, in registry: Registry) -> Bool {
        let head = looks.look(path: pin.path, status: status(of: pin), compressed: pin.compressed)?.head ?? []
        return knows(pin.identity, head: head, in: registry) || !copies(of: head, in: registry).isEmpty
    }

    /// The registry has this file's own entry (not one of an earlier file with its inode).
    func knows(_ identity: FileIdentity, head: [UInt8], in registry: Registry) -> Bool {
        registry.entry(for: identity).map { PinVerdict.describes($0, head) } ?? false
    }

    /// Entries whose content these first bytes are. An entry fingerprinted when its
    /// file held a few bytes matches every file that starts alike (every audit log
    /// starts with the same 80 bytes), so its fingerprint must cover enough of them.
    func copies(of head: [UInt8], in registry: Registry) -> [RegistryEntry] {
        let enough = min(head.count, Fingerprint.distinguishingLength)
        return registry.entries(matchingHead: head).filter { $0.fingerprintLength >= enough }
    }

    func status(of pin: Pin) -> FileStatus {
        FileStatus(identity: pin.identity, kind: .regular, size: pin.size, modified: Int64((pin.modified * 1e9).rounded()), links: 1)
    }

    /// Rotated files gone before an output read them, with no copy left: logged and reported lost for that output.
    func vanished(_ present: [String: [LossWatch.Present]], cursors: [Cursor]) -> [(path: String, unshippedBytes: UInt64, output: String)] {
        var lost: [(path: String, unshippedBytes: UInt64, output: String)] = []
        for c in cursors {
            var watch = watches[c.name] ?? LossWatch()
            let gone = watch.update(present[c.name] ?? []) { identity, s in
                let known = knows(identity, head: s.head, in: c.registry) || !copies(of: s.head, in: c.registry).isEmpty
                if known { logger.debug("rotated file gone; the reader knows it", metadata: ["file": "\(s.path)", "output": "\(c.name)"]) }
                return known
            }
            watches[c.name] = watch
            for s in gone {
                logger.error("rotated file deleted before it was read; its lines are lost", metadata: [
                    "file": "\(s.path)", "unshipped_bytes": "\(s.unshipped)", "output": "\(c.name)"])
                lost.append((s.path, s.unshipped, c.name))
            }
        }
        watches = watches.filter { name, _ in cursors.contains { $0.name == name } }
        return lost
    }
}
