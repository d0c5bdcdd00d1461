import TailshipBasics

/// Where to read a file from, if at all, by what the registry and this process know of it.
extension RotationCore {
    mutating func openingDecision(for file: FileObservation, view: some RotationView) -> OpeningDecision {
        // While a .gz is being written its first bytes may not even identify it yet.
        if file.compressed && !file.gzipComplete { return incompleteCopyDecision(file, view: view) ?? .waitUntilComplete }
        if let known = knownFileDecision(file, view: view) { return known }
        if let twin = twinDecision(file, view: view) { return twin }
        defer { waitingSinceFirstPass.remove(file.identity) }
        return newFileDecision(file, registryCreatedAt: view.registryCreatedAt)
    }

    /// 1. The same file, known by its identity and first bytes.
    private mutating func knownFileDecision(_ file: FileObservation, view: some RotationView) -> OpeningDecision? {
        let identity = file.identity
        if let fp = finished[identity], fp.identifies(head: file.head) {
            return .skipAsShipped(reason: "read to its end by this process", remember: true, entry: identity)
        }
        guard let entry = view.entry(for: identity), let known = entry.fingerprintValue, known.identifies(head: file.head) else { return nil }
        seen.insert(identity)
        if entry.isFullyShipped { return .skipAsShipped(reason: "already shipped", remember: true, entry: identity) }
        if entry.offset > file.state.size && !file.path.hasSuffix(".gz") {
            return .open(at: 0, reason: "file is shorter than its committed offset (truncated while stopped); reading it from the start")
        }
        return .open(at: entry.offset, reason: entry.offset > 0 ? "resuming file" : "following file")
    }

    /// 2. The same content under another identity: a .gz of it, or a copy.
    private mutating func twinDecision(_ file: FileObservation, view: some RotationView) -> OpeningDecision? {
        let head = file.head
        // First the copy of a file truncated before its copy was there to be found.
        if let i = awaitingCopy.firstIndex(where: { $0.fingerprint.length > 0 && Self.isCopy(head, of: $0.fingerprint, readHead: $0.head) }) {
            return .readTruncatedRestFromCopy(awaitingCopy.remove(at: i))
        }
        let twins = view.entries(matchingHead: head).filter { $0.identity != file.identity }
        let finishedContent = self.finishedContent
        let readHere = { (t: RegistryEntry) in t.fingerprintValue.map { finishedContent.contains($0) } ?? false }
        // An open file is busy with a twin's content only if that is still its content (not a retired entry of its inode).
        let openWith = { (t: RegistryEntry) in view.isOpen(t.identity) && view.entry(for: t.identity)?.fingerprint == t.fingerprint }
        if let busy = twins.first(where: { t in readHere(t) || openWith(t) }) {
            return .skipAsShipped(reason: "same content as \(busy.path), read by this process", remember: readHere(busy), entry: busy.identity)
        }
        if let best = twins.first {
            seen.insert(best.identity)
            // Shipped to its end, unless this file is longer (a live file that went on growing).
            if best.isFullyShipped && (file.path.hasSuffix(".gz") || file.state.size <= best.finalSize ?? 0) {
                seen.insert(file.identity)
                return .adoptAsShipped(best, reason: "already shipped as \(best.path)")
            }
            return .open(at: best.offset, reason: "resuming \(best.path) inside its rotated copy")
        }
        // The content of an open file not read far enough to be fingerprinted (rotated and
        // compressed before its first read), or a copy still short: it is read there.
        if file.isBackup, !head.isEmpty, let open = view.openPlainFile(startingLike: head) {
            return .skipAsShipped(reason: "same content as \(open.path), being read by this process", remember: false, entry: open.identity)
        }
        return nil
    }

    /// A .gz that is not (yet) a whole gzip stream but starts like a plain file read here, or
    /// shipped to its end: a copy of content that is not missing (lumberjack stopped while
    /// compressing, or is compressing now). Waited for only when nothing else holds its content.
    private func incompleteCopyDecision(_ file: FileObservation, view: some RotationView) -> OpeningDecision? {
        let head = file.head
        guard head.count >= Fingerprint.distinguishingLength else { return nil }
        if let open = view.openPlainFile(startingLike: head) {
            return .skipAsShipped(reason: "incomplete .gz copy of \(open.path), being read by this process", remember: false, entry: open.identity)
        }
        let distinguishing = { (fp: Fingerprint) in fp.length >= Fingerprint.distinguishingLength && fp.identifies(head: head) }
        if let whole = finished.first(where: { distinguishing($0.value) }) {
            return .skipAsShipped(reason: "incomplete .gz copy of a file read to its end by this process", remember: true, entry: whole.key)
        }
        if let shipped = view.entries(matchingHead: head).first(where: { $0.isFullyShipped && $0.fingerprintValue.map(distinguishing) == true }) {
            return .skipAsShipped(reason: "incomplete .gz copy of \(shipped.path), shipped to its end", remember: true, entry: shipped.identity)
        }
        return nil
    }

    /// 3. Never seen: the first-start rules and `start_at`.
    private func newFileDecision(_ file: FileObservation, registryCreatedAt: Double) -> OpeningDecision {
        let firstStart = !inputHasHistory && (!initialScanDone || waitingSinceFirstPass.contains(file.identity))
        guard file.isBackup else {
            let atEnd = firstStart && options.startAtEnd && !options.shipHistory
            return .open(at: atEnd ? file.state.size : 0, reason: "following new file")
        }
        if options.shipHistory { return .open(at: 0, reason: "shipping backup") }
        if firstStart {
            return options.startAtEnd ? .skipAsShipped(reason: "backup present before the first start (start_at: end)", remember: true, entry: nil)
                : .open(at: 0, reason: "shipping backup present at first start")
        }
        if file.state.modifiedSeconds < registryCreatedAt {
            return .skipAsShipped(reason: "backup older than the registry (history, not shipped)", remember: true, entry: nil)
        }
        return .open(at: 0, reason: "shipping new backup")
    }

    /// The registry entry for a file opened at `offset`. `existing` is its inode's entry
    /// once an entry of other content was retired (see `describesOtherContent`).
    static func entryForOpening(_ file: FileObservation, at offset: UInt64, existing: RegistryEntry?, now: Double) -> RegistryEntry {
        var entry = RegistryEntry(identity: file.identity, fingerprint: Fingerprint(head: file.head), path: file.path, offset: offset, lastSeen: now)
        // A final size belongs to that file only: after inode reuse the new file is not finished.
        if let existing, !describesOtherContent(existing, head: file.head) { entry.finalSize = existing.finalSize }
        return entry
    }

    /// Whether an inode's registry entry describes other content than the file now starting
    /// with `head` (truncated or replaced while stopped, or the inode reused): it is then
    /// retired, so a copy of its content found later resumes where it had got to.
    static func describesOtherContent(_ entry: RegistryEntry, head: [UInt8]) -> Bool {
        entry.fingerprintValue?.identifies(head: head) != true
    }
}
