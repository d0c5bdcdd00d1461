import TailshipBasics

/// What looking into a file found.
enum FileLook {
    case seen(any OpenFile, FileObservation)
    /// Cannot be opened, or was renamed between the stat and the open.
    case unavailable
}

/// Observing files that are not open and carrying out the core's decision about each.
extension Tailer {
    func observeAndCarryOut(_ path: String, backup: Backup?, now: Double, presentLive: inout Set<FileIdentity>) {
        guard let status = observedStatus(path, backup: backup) else { return }
        let identity = status.identity
        if backup == nil { presentLive.insert(identity) }
        if let existing = followers.first(where: { $0.identity == identity }) {
            if backup == nil && existing.phase == .rotatedAway {
                existing.phase = .live
                existing.path = path
            }
            return
        }
        let state = FileState(status)
        guard core.needsLook(state) else { return }
        guard followers.count < options.maxOpenFiles else {
            deferredThisScan = true
            if core.deferred(state, registryCreatedAt: registry.createdAt) { registry.backdate(before: state.modifiedSeconds) }
            observer.openFilesLimited()
            if !limitLogged {
                limitLogged = true
                logger.warning("max_open_files reached; other files wait their turn", metadata: ["max_open_files": "\(options.maxOpenFiles)"])
            }
            return
        }
        switch look(at: path, state: state, backup: backup) {
        case .unavailable:
            return
        case .seen(let file, let observation):
            let decision: OpeningDecision = core.mustSettle(observation, now: time.monotonic) ? .waitToSettle
                : core.openingDecision(for: observation, view: self)
            carryOut(decision, file: file, observation: observation, path: path, state: state, now: now, readableFrom: backup?.readableFrom ?? 0)
        }
    }

    /// Opens the file, checks it is the one stat'ed, checks a .gz to its end, and
    /// reads its first bytes (decompressed, for a .gz that is whole).
    func look(at path: String, state: FileState, backup: Backup?) -> FileLook {
        let file: any OpenFile
        switch fileSystem.open(path) {
        case .failure(let error):
            if failingPaths.insert(path).inserted {
                logger.error("cannot open file", metadata: ["file": "\(path)", "error": "\(error)"])
                observer.readError(path: path, errno: error.code)
            }
            return .unavailable
        case .success(let opened):
            file = opened
        }
        if failingPaths.remove(path) != nil {
            logger.notice("file can be opened again", metadata: ["file": "\(path)"])
        }
        // Renamed between the stat and the open (a rotation): the handle is another
        // file than the identity says. Look again next pass.
        let opened = file.status.map { backup?.isPin == true ? Self.pinIdentity($0.identity) : $0.identity }
        guard opened == state.identity else { return .unavailable }
        let compressed = backup?.compressed ?? path.hasSuffix(".gz")
        var observation = FileObservation(path: path, state: state, foundAsBackup: backup != nil, compressed: compressed,
                                          contentLength: state.size, head: [])
        if compressed {
            (observation.gzipComplete, observation.contentLength) = GzipStreamReader.verify(file, scratch: buffer)
            // What an incomplete one starts with says whether its content is read elsewhere.
            if !observation.gzipComplete {
                observation.head = GzipStreamReader.head(file, limit: Fingerprint.maxLength)
                return .seen(file, observation)
            }
        }
        guard let head = compressed ? GzipStreamReader.head(file, limit: Fingerprint.maxLength) : file.head(limit: Fingerprint.maxLength) else {
            return .unavailable
        }
        observation.head = head
        return .seen(file, observation)
    }

    private func carryOut(_ decision: OpeningDecision, file: (any OpenFile)?, observation: FileObservation?, path: String, state: FileState,
                          now: Double, readableFrom: UInt64) {
        switch decision {
        case .waitUntilComplete:
            core.markIncomplete(state)
            observer.gzipIncomplete(path: path)
            logger.info("compressed file is not complete yet (no valid gzip trailer); will look again", metadata: ["file": "\(path)"])
        case .waitToSettle:
            return
        case .skipAsShipped(let reason, let remember, let entry):
            if remember { core.setAside(state, entry: entry) }
            if let observation, observation.compressed, !observation.gzipComplete {
                observer.incompleteCopySkipped(path: path, reason: reason)
                if remember { logger.notice("incomplete .gz not read: nothing of it is missing", metadata: ["file": "\(path)", "reason": "\(reason)"]) }
            }
            logger.debug("not reading file", metadata: ["file": "\(path)", "reason": "\(reason)"])
        case .adoptAsShipped(let shipped, let reason):
            // Known under its own identity from now on, whatever becomes of the original's inode.
            var entry = shipped
            entry.device = state.identity.device
            entry.inode = state.identity.inode
            entry.path = path
            entry.lastSeen = now
            registry.track(entry)
            core.setAside(state, entry: state.identity)
            logger.debug("not reading file", metadata: ["file": "\(path)", "reason": "\(reason)"])
        case .readTruncatedRestFromCopy(let awaited):
            guard let file, let observation else { return }
            openCopyOfTruncated(awaited, file: file, observation: observation)
        case .open(let offset, let reason):
            guard let file, let observation else { return }
            // A pin holds nothing between its head and the tail it copied: those bytes were acknowledged.
            if offset < readableFrom {
                logger.warning("pin holds only bytes from its copied tail on; reading from there", metadata: [
                    "file": "\(path)", "offset": "\(offset)", "from": "\(readableFrom)"])
            }
            open(file, observation: observation, at: max(offset, readableFrom), reason: reason, now: now)
        }
    }

    private func open(_ file: any OpenFile, observation: FileObservation, at offset: UInt64, reason: String, now: Double) {
        var reader: GzipStreamReader?
        if observation.compressed {
            let r = GzipStreamReader(file: file)
            guard r.skip(to: offset, scratch: buffer) else {
                observer.gzipIncomplete(path: observation.path)
                logger.warning("compressed file ends before the committed offset (still being written?); will retry",
                               metadata: ["file": "\(observation.path)", "offset": "\(offset)"])
                return
            }
            reader = r
        }
        let identity = observation.identity
        retireIfOtherContent(identity, head: observation.head, path: observation.path)
        let entry = RotationCore.entryForOpening(observation, at: offset, existing: registry.entry(for: identity), now: now)
        let epoch = registry.track(entry)
        core.seen.insert(identity)
        logger.info("\(reason)", metadata: ["file": "\(observation.path)", "offset": "\(offset)", "size": "\(observation.state.size)", "file_id": "\(identity)"])
        observer.fileOpened(path: observation.path)
        let follower = Follower(file: file, identity: identity, path: observation.path, head: observation.head,
                                epoch: epoch, offset: offset, maxLineBytes: options.maxLineBytes, now: time.monotonic,
                                gzip: reader, phase: observation.isBackup ? .backup : .live)
        followers.append(follower)
    }
}
