import TailshipBasics
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// copytruncate and other rewrites in place: noticing a truncation, finding the
/// copy of what was not yet read (now, or when it turns up later), and keeping
/// the registry's knowledge of the old contents.
extension Tailer {
    /// A registry entry for this inode that describes other content (the file was
    /// truncated or replaced while stopped, or the inode reused) is kept aside, so
    /// a copy of that content found later resumes where it had got to.
    func retireIfOtherContent(_ identity: FileIdentity, head: [UInt8], path: String) {
        guard let old = registry.entry(for: identity), old.fingerprintValue?.identifies(head: head) != true else { return }
        if old.fingerprintLength > 0 && !old.isFullyShipped {
            logger.info("file holds other content than when last read (truncated or replaced); its old content resumes from a copy if one appears",
                        metadata: ["file": "\(path)", "file_id": "\(identity)", "old_offset": "\(old.offset)"])
        }
        registry.retire(identity)
    }

    /// Opens the late-found copy of a truncated file after what was read of it.
    func openCopyOfTruncated(_ awaited: AwaitedCopy, fd: Int32, path: String, state: FileState, head: [UInt8], compressed: Bool) {
        let identity = state.identity
        let fingerprint = Fingerprint(head: head)
        let (reader, length) = seek(fd: fd, size: UInt64(state.size), compressed: compressed, to: awaited.offset)
        let now = Date().timeIntervalSince1970
        retireIfOtherContent(identity, head: head, path: path)
        guard length >= awaited.offset else {
            // Copied after more was read than it holds: nothing in it is new.
            close(fd)
            recordAsRead(identity, fingerprint: fingerprint, path: path, length: length)
            skipped[state] = identity
            logger.info("the copy of the truncated file holds nothing beyond what was read", metadata: ["file": "\(awaited.path)", "copy": "\(path)"])
            return
        }
        let committed = registry.entries(matchingHead: head).first { $0.identity == awaited.identity }?.offset ?? 0
        let epoch = registry.track(RegistryEntry(identity: identity, fingerprint: fingerprint, path: path, offset: min(committed, awaited.offset), lastSeen: now))
        // Acks still in flight for the truncated file's old bytes count for the copy.
        registry.redirect(awaited.identity, epoch: awaited.epoch, to: identity, copyEpoch: epoch)
        seen.insert(identity)
        let follower = Follower(fd: fd, identity: identity, path: path, fingerprint: fingerprint, epoch: epoch, offset: awaited.offset,
                                maxLineBytes: options.maxLineBytes, now: monotonicSeconds(), gzip: reader, isBackup: true)
        follower.framer = awaited.framer
        followers.append(follower)
        observer.fileOpened(path: path)
        logger.info("reading the rest of the truncated file from its copy, found after the truncation",
                    metadata: ["file": "\(awaited.path)", "copy": "\(path)", "offset": "\(awaited.offset)"])
    }

    /// Truncated files whose copy never appeared: what they held beyond what was read is lost.
    func expireAwaitedCopies(now: Double) {
        awaitingCopy.removeAll { a in
            guard now - a.since > Self.copyWaitSeconds else { return false }
            logger.error("no copy of the truncated file appeared among the backups; lines written after offset before the truncation were lost if any",
                         metadata: ["file": "\(a.path)", "offset": "\(a.offset)"])
            observer.fileLost(path: a.path, unshippedBytes: nil)
            return true
        }
    }

    /// A file that was a live file (even if renamed since) can have been truncated
    /// in place: shorter than our offset, or other first bytes. Backups and .gz
    /// files are not. Returns whether it was, after dealing with it.
    @discardableResult
    func handleTruncation(_ follower: Follower) -> Bool {
        guard follower.gzip == nil, !follower.isBackup, let size = follower.size,
              size < follower.readOffset || follower.headChanged else { return false }
        truncated(follower, size: size)
        return true
    }

    /// copytruncate: the bytes not read before the truncation are in the copy,
    /// if it is among the backups; the live file starts again at 0.
    func truncated(_ follower: Follower, size: UInt64) {
        logger.warning("file truncated (copytruncate?); reading it again from the start",
                       metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)", "size": "\(size)"])
        observer.fileTruncated(path: follower.path)
        passInterrupted = true
        var copyHadNothingNew = false
        if let copy = openCopy(of: follower, nothingNew: &copyHadNothingNew) {
            copy.framer = follower.framer
            registry.redirect(follower.identity, epoch: follower.epoch, to: copy.identity, copyEpoch: copy.epoch)
            // Just before the truncated file: its old bytes come before its new ones.
            followers.insert(copy, at: followers.firstIndex { $0 === follower } ?? followers.count)
            logger.info("reading the rest of the truncated file from its copy", metadata: ["copy": "\(copy.path)", "offset": "\(copy.readOffset)"])
        } else if copyHadNothingNew {
            logger.info("the copy of the truncated file holds nothing beyond what was read", metadata: ["file": "\(follower.path)"])
        } else if follower.fingerprint.length > 0 {
            // logrotate may still be copying or compressing: a copy that appears
            // later is read from here on (see `awaitingCopy`).
            logger.warning("no copy of the truncated file among the backups yet; waiting for one",
                           metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)", "wait_seconds": "\(Int(Self.copyWaitSeconds))"])
            registry.retire(follower.identity)
            awaitingCopy.append(AwaitedCopy(fingerprint: follower.fingerprint, offset: follower.readOffset, framer: follower.framer,
                                            identity: follower.identity, epoch: follower.epoch, path: follower.path, since: monotonicSeconds()))
            if awaitingCopy.count > 16 { awaitingCopy.removeFirst() }
        }
        follower.framer.reset()
        follower.readOffset = 0
        follower.fingerprint = Fingerprint(head: [])
        follower.epoch = registry.track(RegistryEntry(identity: follower.identity, fingerprint: follower.fingerprint, path: follower.path,
                                                      offset: 0, lastSeen: Date().timeIntervalSince1970))
    }

    /// The newest backup that starts with the follower's bytes and reaches its read offset.
    /// A copy shorter than what was read (logrotate copied, then the writer went on
    /// before the truncate) holds nothing new: it is recorded as read, `nothingNew` is set, and nil returned.
    func openCopy(of follower: Follower, nothingNew: inout Bool) -> Follower? {
        let committed = registry.entry(for: follower.identity)?.offset ?? 0
        for backup in backupFinder.backups(of: [follower.path]).reversed() {
            var st = stat()
            guard stat(backup.path, &st) == 0, !followers.contains(where: { $0.identity == FileIdentity(st) }) else { continue }
            let fd = Glibc.open(backup.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            // A .gz still being written says nothing yet (its plain original is still there).
            if backup.compressed && !GzipStreamReader.verify(fd: fd, scratch: buffer).complete {
                close(fd)
                continue
            }
            let head = backup.compressed ? GzipStreamReader.head(fd: fd, limit: Fingerprint.maxLength) : (Fingerprint.head(fd: fd) ?? [])
            guard follower.fingerprint.matches(head: head) else {
                close(fd)
                continue
            }
            let identity = FileIdentity(st)
            let fingerprint = Fingerprint(head: head)
            let (reader, length) = seek(fd: fd, size: UInt64(st.st_size), compressed: backup.compressed, to: follower.readOffset)
            if length < follower.readOffset {
                close(fd)
                recordAsRead(identity, fingerprint: fingerprint, path: backup.path, length: length)
                nothingNew = true
                return nil
            }
            let epoch = registry.track(RegistryEntry(identity: identity, fingerprint: fingerprint, path: backup.path,
                                                     offset: committed, lastSeen: Date().timeIntervalSince1970))
            return Follower(fd: fd, identity: identity, path: backup.path, fingerprint: fingerprint, epoch: epoch,
                            offset: follower.readOffset, maxLineBytes: options.maxLineBytes, now: monotonicSeconds(),
                            gzip: reader, isBackup: true)
        }
        return nil
    }

    /// Where a copy's content can be read from `offset`: for a .gz, a reader decompressed
    /// up to it. `length` is the content's length as far as it matters: at least `offset`
    /// when the content reaches it, else where it ends.
    func seek(fd: Int32, size: UInt64, compressed: Bool, to offset: UInt64) -> (reader: GzipStreamReader?, length: UInt64) {
        guard compressed else { return (nil, size) }
        let reader = GzipStreamReader(fd: fd)
        return reader.skip(to: offset, scratch: buffer) ? (reader, offset) : (nil, reader.position)
    }

    /// A copy holding nothing beyond what was read from its original: shipped to its end.
    func recordAsRead(_ identity: FileIdentity, fingerprint: Fingerprint, path: String, length: UInt64) {
        var entry = RegistryEntry(identity: identity, fingerprint: fingerprint, path: path, offset: length, lastSeen: Date().timeIntervalSince1970)
        entry.finalSize = length
        registry.track(entry)
        markFinished(identity, fingerprint: fingerprint)
    }
}
