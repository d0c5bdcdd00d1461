import TailshipBasics

/// Carrying out copytruncate: noticing a truncation, finding the copy of what was
/// not yet read (now, or when it turns up later), keeping the registry's knowledge
/// of the old contents. The decisions are `RotationCore`'s.
extension Tailer {
    /// Retires the inode's registry entry if it describes other content than `head`.
    func retireIfOtherContent(_ identity: FileIdentity, head: [UInt8], path: String) {
        guard let old = registry.entry(for: identity), RotationCore.describesOtherContent(old, head: head) else { return }
        if old.fingerprintLength > 0 && !old.isFullyShipped {
            logger.info("file holds other content than when last read (truncated or replaced); its old content resumes from a copy if one appears",
                        metadata: ["file": "\(path)", "file_id": "\(identity)", "old_offset": "\(old.offset)"])
        }
        registry.retire(identity)
    }

    /// Opens the late-found copy of a truncated file after what was read of it.
    func openCopyOfTruncated(_ awaited: AwaitedCopy, file: any OpenFile, observation: FileObservation) {
        let identity = observation.identity
        let path = observation.path
        let fingerprint = Fingerprint(head: observation.head)
        let (reader, length) = seek(file, size: observation.state.size, compressed: observation.compressed, to: awaited.offset)
        retireIfOtherContent(identity, head: observation.head, path: path)
        let committed = registry.entries(matchingHead: observation.head).first { $0.identity == awaited.identity }?.offset ?? 0
        if RotationCore.lateCopyHoldsNothingNew(awaited, length: length) {
            recordAsRead(identity, fingerprint: fingerprint, path: path, length: length, committed: committed,
                         acksOf: (awaited.identity, awaited.epoch))
            core.setAside(observation.state, entry: identity)
            logger.info("the copy of the truncated file holds nothing beyond what was read", metadata: ["file": "\(awaited.path)", "copy": "\(path)"])
            return
        }
        let epoch = registry.track(RegistryEntry(identity: identity, fingerprint: fingerprint, path: path, offset: min(committed, awaited.offset),
                                                 lastSeen: time.wall))
        // Acks still in flight for the truncated file's old bytes count for the copy.
        registry.redirect(awaited.identity, epoch: awaited.epoch, to: identity, copyEpoch: epoch)
        core.seen.insert(identity)
        let follower = Follower(file: file, identity: identity, path: path, head: observation.head, epoch: epoch, offset: awaited.offset,
                                maxLineBytes: options.maxLineBytes, now: time.monotonic, gzip: reader, phase: .backup)
        follower.framer = awaited.framer
        followers.append(follower)
        observer.fileOpened(path: path)
        logger.info("reading the rest of the truncated file from its copy, found after the truncation",
                    metadata: ["file": "\(awaited.path)", "copy": "\(path)", "offset": "\(awaited.offset)"])
    }

    /// Truncated files whose copy never appeared: what they held beyond what was read is lost.
    func expireAwaitedCopies(now: Double) {
        for a in core.expireAwaitedCopies(now: now) {
            logger.error("no copy of the truncated file appeared among the backups; lines written after offset before the truncation were lost if any",
                         metadata: ["file": "\(a.path)", "offset": "\(a.offset)"])
            observer.fileLost(path: a.path, unshippedBytes: nil)
        }
    }

    /// Deals with a truncation of `follower` if there was one; returns whether there was.
    @discardableResult
    func handleTruncation(_ follower: Follower) -> Bool {
        guard let size = follower.size,
              RotationCore.isTruncated(phase: follower.phase, compressed: follower.gzip != nil, size: size, readOffset: follower.readOffset,
                                       headChanged: { follower.headChanged }) else { return false }
        truncated(follower, size: size)
        return true
    }

    /// copytruncate: the bytes not read before the truncation are in the copy,
    /// if it is among the backups; the live file starts again at 0.
    private func truncated(_ follower: Follower, size: UInt64) {
        logger.warning("file truncated (copytruncate?); reading it again from the start",
                       metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)", "size": "\(size)"])
        observer.fileTruncated(path: follower.path)
        passInterrupted = true
        let (match, copy) = findCopy(of: follower)
        switch RotationCore.afterTruncation(copy: match, fingerprint: follower.fingerprint) {
        case .readRestFromCopy:
            guard let copy else { break }
            copy.framer = follower.framer
            registry.redirect(follower.identity, epoch: follower.epoch, to: copy.identity, copyEpoch: copy.epoch)
            // Just before the truncated file: its old bytes come before its new ones.
            followers.insert(copy, at: followers.firstIndex { $0 === follower } ?? followers.count)
            logger.info("reading the rest of the truncated file from its copy", metadata: ["copy": "\(copy.path)", "offset": "\(copy.readOffset)"])
        case .copyHoldsNothingNew:
            logger.info("the copy of the truncated file holds nothing beyond what was read", metadata: ["file": "\(follower.path)"])
        case .waitForCopy:
            // logrotate may still be copying or compressing: a copy that appears
            // later is read from here on (see `RotationCore.awaitingCopy`).
            logger.warning("no copy of the truncated file among the backups yet; waiting for one",
                           metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)", "wait_seconds": "\(Int(RotationCore.copyWaitSeconds))"])
            registry.retire(follower.identity)
            core.awaitCopy(AwaitedCopy(fingerprint: follower.fingerprint, head: follower.readHead, offset: follower.readOffset, framer: follower.framer,
                                       identity: follower.identity, epoch: follower.epoch, path: follower.path, since: time.monotonic))
        case .nothingToWaitFor:
            break
        }
        follower.restart(epoch: registry.track(RegistryEntry(identity: follower.identity, fingerprint: Fingerprint(head: []), path: follower.path,
                                                             offset: 0, lastSeen: time.wall)))
    }

    /// The newest backup that starts with the follower's bytes: opened at its read offset
    /// if it reaches it; a copy shorter than what was read (logrotate copied, then the
    /// writer went on before the truncate) is recorded as read and not opened.
    private func findCopy(of follower: Follower) -> (CopyMatch, Follower?) {
        let committed = registry.entry(for: follower.identity)?.offset ?? 0
        for backup in backupFinder.backups(of: [follower.path]).reversed() {
            guard let status = try? fileSystem.status(backup.path).get(), !isOpen(status.identity),
                  // A .gz still being written says nothing yet (its plain original is still there).
                  case .seen(let file, let observation) = look(at: backup.path, state: FileState(status), backup: backup),
                  observation.gzipComplete, RotationCore.isCopy(observation.head, of: follower.fingerprint, readHead: follower.readHead) else { continue }
            let (reader, length) = seek(file, size: status.size, compressed: backup.compressed, to: follower.readOffset)
            let match = RotationCore.copyMatch(readOffset: follower.readOffset, length: length)
            let fingerprint = Fingerprint(head: observation.head)
            switch match {
            case .notACopy:
                continue
            case .holdsNothingNew:
                recordAsRead(status.identity, fingerprint: fingerprint, path: backup.path, length: length, committed: committed,
                             acksOf: (follower.identity, follower.epoch))
                return (match, nil)
            case .holdsTheRest:
                let epoch = registry.track(RegistryEntry(identity: status.identity, fingerprint: fingerprint, path: backup.path,
                                                         offset: committed, lastSeen: time.wall))
                return (match, Follower(file: file, identity: status.identity, path: backup.path, head: observation.head, epoch: epoch,
                                        offset: follower.readOffset, maxLineBytes: options.maxLineBytes, now: time.monotonic,
                                        gzip: reader, phase: .backup))
            }
        }
        return (.notACopy, nil)
    }

    /// Where a copy's content can be read from `offset`: for a .gz, a reader decompressed
    /// up to it. `length` is the content's length as far as it matters: at least `offset`
    /// when the content reaches it, else where it ends.
    func seek(_ file: any OpenFile, size: UInt64, compressed: Bool, to offset: UInt64) -> (reader: GzipStreamReader?, length: UInt64) {
        guard compressed else { return (nil, size) }
        let reader = GzipStreamReader(file: file)
        return reader.skip(to: offset, scratch: buffer) ? (reader, offset) : (nil, reader.position)
    }

    /// A copy holding nothing beyond what was read of its original: finished by this
    /// process. Its entry starts at what was acknowledged of the original and reaches
    /// its end as the original's acks still in flight arrive (they are redirected to
    /// it), so a crash before then reads it again from there instead of losing them.
    func recordAsRead(_ identity: FileIdentity, fingerprint: Fingerprint, path: String, length: UInt64, committed: UInt64,
                      acksOf original: (identity: FileIdentity, epoch: UInt64)) {
        var entry = RegistryEntry(identity: identity, fingerprint: fingerprint, path: path, offset: min(committed, length), lastSeen: time.wall)
        entry.finalSize = length
        let epoch = registry.track(entry)
        registry.redirect(original.identity, epoch: original.epoch, to: identity, copyEpoch: epoch)
        markFinished(identity, fingerprint: fingerprint)
    }
}
