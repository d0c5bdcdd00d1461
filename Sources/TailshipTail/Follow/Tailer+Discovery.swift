import Foundation
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// What one listing of the input found: backups oldest first, then live files.
struct InputListing {
    /// Backups to consider, oldest first.
    var backups: [Backup]
    /// Backups left out by `--since`/`--until` (by their name's time).
    var outOfRange: [Backup] = []
    /// Live files.
    var live: [String]
    /// The live files lie after `--until` (the newest backup was rotated after it).
    var liveOutOfRange = false
    /// Everything the backups were looked for next to.
    var searchedPaths: [String]
}

extension Tailer {
    /// Lists the input's live files and backups, applying `--since`/`--until` to backups by their names.
    func listInput() -> InputListing {
        let (matched, problems) = discovery.expandReporting()
        notePathProblems(problems)
        let searched = discovery.backupSearchPaths(matched: matched)
        let backups = withPins(backupFinder.backups(of: searched), live: matched)
        let backupPaths = Set(backups.map(\.path))
        var listing = InputListing(backups: backups, live: matched.filter { !backupPaths.contains($0) }, searchedPaths: searched)
        guard options.since != nil || options.until != nil else { return listing }
        // A backup's name time is when it was rotated: its last line. It lies wholly
        // before `since` if that time does; wholly after `until` if its predecessor's does.
        var kept: [Backup] = []
        var previous: Double?
        for b in backups {
            let before = b.named && options.since.map { b.time < $0 } == true
            let after = b.named && previous.flatMap { p in options.until.map { p > $0 } } == true
            if before || after { listing.outOfRange.append(b) } else { kept.append(b) }
            previous = b.named ? b.time : nil
        }
        if let last = backups.last, last.named, let until = options.until, last.time > until { listing.liveOutOfRange = true }
        listing.backups = kept
        return listing
    }

    /// The backups with the pins of files whose backup is gone (the backup is read under
    /// its own name while it exists: same identity and first bytes), in rotation order.
    func withPins(_ backups: [Backup], live: [String]) -> [Backup] {
        guard let dir = options.pinDirectory else { return backups }
        let pins = PinDirectory(path: dir).list(for: options.patterns)
        guard !pins.isEmpty else { return backups }
        let here = Dictionary((backups.map(\.path) + live).compactMap { p in (try? fileSystem.status(p).get()).map { ($0.identity, p) } },
                              uniquingKeysWith: { a, _ in a })
        var all = backups
        for pin in pins {
            // An inode is reused once its file is deleted: the same identity may now hold other content.
            // (First bytes are read only then: with its original gone a pin is listed on every pass.)
            if let path = here[pin.identity], LossWatch.sameContent(PinDirectory.head(path), PinDirectory.head(pin.path)) { continue }
            if let open = followers.first(where: { $0.identity == pin.identity }), open.startsLike(PinDirectory.head(pin.path)) { continue }
            let nameTime = BackupFinder.timeFromName(pin.originalName)
            all.append(Backup(path: pin.path, compressed: pin.compressed, time: nameTime ?? pin.modified, rank: 0, named: nameTime != nil,
                              readableFrom: pin.from, isPin: true))
        }
        return all.sorted(by: Backup.olderFirst)
    }

    /// A file's status as the reader knows it: a pin by `pinIdentity`.
    func observedStatus(_ path: String, backup: Backup?) -> FileStatus? {
        guard var status = try? fileSystem.status(path).get(), status.isRegular else { return nil }
        if backup?.isPin == true { status.identity = Self.pinIdentity(status.identity) }
        return status
    }

    /// A pin's identity to the reader: its own inode with the device's top bit set. A pin is a
    /// copy on the state directory's filesystem, whose inode numbers a deleted log's registry entry
    /// may still hold (the pin is then not that file); no real device number has that bit.
    static func pinIdentity(_ own: FileIdentity) -> FileIdentity {
        FileIdentity(device: own.device | (1 << 63), inode: own.inode)
    }

    /// Observes every backup (oldest first) and live file and has the core decide on each; returns the live identities seen.
    @discardableResult
    func scanPaths(now: Double) -> Set<FileIdentity> {
        let listing = listInput()
        var presentLive = Set<FileIdentity>()
        for backup in listing.backups {
            observeAndCarryOut(backup.path, backup: backup, now: now, presentLive: &presentLive)
        }
        for path in listing.live {
            if listing.liveOutOfRange {
                if let status = try? fileSystem.status(path).get() { presentLive.insert(status.identity) }
                continue
            }
            observeAndCarryOut(path, backup: nil, now: now, presentLive: &presentLive)
        }
        // A backup made after the listing above (a rename, a copytruncate copy)
        // predates any live file just opened: take it now, so its lines come first.
        if options.since == nil && options.until == nil {
            let listed = Set(listing.backups.map(\.path))
            for backup in backupFinder.backups(of: listing.searchedPaths) where !listed.contains(backup.path) {
                observeAndCarryOut(backup.path, backup: backup, now: now, presentLive: &presentLive)
            }
        }
        return presentLive
    }

    /// Logs and counts each unusable path once, and says when it can be used again.
    func notePathProblems(_ problems: [(path: String, reason: String)]) {
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

    /// Whether `path` is one of the live files or backups these patterns follow.
    static func belongs(_ path: String, to patterns: [String]) -> Bool {
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        for pattern in patterns {
            if fnmatch(pattern, path, FNM_PATHNAME) == 0 { return true }
            guard (pattern as NSString).deletingLastPathComponent == dir else { continue }
            if BackupFinder.classify(name, liveName: (pattern as NSString).lastPathComponent) != nil { return true }
        }
        return false
    }
}
