import Foundation
import Logging
import TailshipBasics

/// Takes and releases the pins of one input: every rotated file with bytes not
/// acknowledged gets a hard link in the pin directory as soon as it is seen; a
/// pin goes once its file is acknowledged to its end; over the byte budget the
/// oldest go first, reported. Runs on a thread of its own, so pins are taken
/// while reading waits on a slow output and whatever `max_open_files` is.
public final class PinKeeper: @unchecked Sendable {
    public struct Report: Sendable {
        public var pinnedBytes: UInt64 = 0
        public var pinnedFiles = 0
        /// Pins released over budget whose original is gone: their unshipped bytes are lost.
        public var lost: [(path: String, unshippedBytes: UInt64)] = []
        /// Everything of this input not yet acknowledged.
        public var backlog = Backlog()
    }

    public let directory: PinDirectory
    let options: TailOptions
    let maxBytes: UInt64
    let registry: Registry
    let logger: Logger
    let looks = ContentLooks()
    /// False with `pins.enabled: false`: files are only watched, for losses.
    let pinning: Bool
    var watch = LossWatch()
    /// Why pinning is off, once it is.
    public internal(set) var disabledReason: String?
    /// Released to stay within the budget: not pinned again while they exist.
    var releasedForBudget = Set<FileIdentity>()
    var failingPaths = Set<String>()

    public init(directory: PinDirectory, options: TailOptions, maxBytes: UInt64, registry: Registry, logger: Logger, pinning: Bool = true) {
        self.directory = directory
        self.pinning = pinning
        self.options = options
        self.maxBytes = maxBytes
        self.registry = registry
        self.logger = logger
    }

    /// Checks the directory (created if missing, writable, links from the input's
    /// directory work); on failure pinning is off, with why.
    @discardableResult
    public func start() -> String? {
        guard pinning else { return nil }
        let probe = PathDiscovery(patterns: options.patterns).expand().first
        disabledReason = directory.prepare(probe: probe)
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

    /// What a file holds now, by the registry.
    func verdict(path: String, status: FileStatus, compressed: Bool) -> PinVerdict? {
        guard let look = looks.look(path: path, status: status, compressed: compressed) else { return nil }
        return PinVerdict.judge(head: look.head, contentLength: look.contentLength, modified: status.modifiedSeconds,
                                entry: registry.entry(for: status.identity), copies: copies(of: look.head),
                                registryCreatedAt: registry.createdAt, shipHistory: options.shipHistory)
    }

    /// One pass: pin what is new and unshipped, release what is shipped, keep to the
    /// budget, and report rotated files that vanished unread.
    public func scan() -> Report {
        let matched = PathDiscovery(patterns: options.patterns).expand()
        let found = candidates(matched: matched)
        let active = pinning && disabledReason == nil
        var pinned = active ? Dictionary(pins().map { ($0.identity, $0) }, uniquingKeysWith: { a, _ in a }) : [:]
        var present: [LossWatch.Present] = []
        for (backup, status) in found {
            let v = verdict(path: backup.path, status: status, compressed: backup.compressed)
            let head = looks.look(path: backup.path, status: status, compressed: backup.compressed)?.head ?? []
            present.append(.init(identity: status.identity, path: backup.path, head: head, verdict: v,
                                 known: knows(status.identity, head: head)))
            guard active, disabledReason == nil, pinned[status.identity] == nil, !releasedForBudget.contains(status.identity),
                  case .unshipped? = v, let pin = take(backup.path, status: status) else { continue }
            pinned[status.identity] = pin
        }
        releaseShipped(&pinned)
        for pin in pinned.values {
            let head = looks.look(path: pin.path, status: status(of: pin), compressed: pin.compressed)?.head ?? []
            present.append(.init(identity: pin.identity, path: pin.path, head: head, verdict: nil, known: true))
        }
        let presentIdentities = Set(found.map(\.status.identity))
        releasedForBudget.formIntersection(presentIdentities)
        looks.keep(Set(pinned.keys).union(presentIdentities))
        var report = keepToBudget(Array(pinned.values), originals: presentIdentities)
        report.lost += vanished(present)
        report.backlog = backlog(matched: matched, rotated: found, pins: Array(pinned.values))
        return report
    }

    /// Releases the pins of files acknowledged to their end (or history, never to be shipped).
    func releaseShipped(_ pinned: inout [FileIdentity: Pin]) {
        for pin in pinned.values {
            switch verdict(path: pin.path, status: status(of: pin), compressed: pin.compressed) {
            case .shipped?, .history?:
                directory.release(pin)
                pinned[pin.identity] = nil
                logger.debug("pin released: file acknowledged to its end", metadata: ["pin": "\(pin.path)"])
            default:
                break
            }
        }
    }

    /// The registry has this file's own entry (not one of an earlier file with its inode).
    func knows(_ identity: FileIdentity, head: [UInt8]) -> Bool {
        registry.entry(for: identity).map { PinVerdict.describes($0, head) } ?? false
    }

    /// Entries whose content these first bytes are. An entry fingerprinted when its
    /// file held a few bytes matches every file that starts alike (every audit log
    /// starts with the same 80 bytes), so its fingerprint must cover enough of them.
    func copies(of head: [UInt8]) -> [RegistryEntry] {
        let enough = min(head.count, Self.distinguishingBytes)
        return registry.entries(matchingHead: head).filter { $0.fingerprintLength >= enough }
    }

    /// Past the first event's auditID.
    static let distinguishingBytes = 256

    func status(of pin: Pin) -> FileStatus {
        FileStatus(identity: pin.identity, kind: .regular, size: pin.size, modified: Int64((pin.modified * 1e9).rounded()), links: 2)
    }

    /// Rotated files gone unread, with no copy left: logged and reported lost.
    func vanished(_ present: [LossWatch.Present]) -> [(path: String, unshippedBytes: UInt64)] {
        let gone = watch.update(present) { identity, s in
            let known = knows(identity, head: s.head) || !copies(of: s.head).isEmpty
            if known { logger.debug("rotated file gone; the reader knows it", metadata: ["file": "\(s.path)"]) }
            return known
        }
        for s in gone {
            logger.error("rotated file deleted before it was read; its lines are lost", metadata: [
                "file": "\(s.path)", "unshipped_bytes": "\(s.unshipped)"])
        }
        return gone.map { ($0.path, $0.unshipped) }
    }
}
