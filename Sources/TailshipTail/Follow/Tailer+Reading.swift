import TailshipBasics

/// Reading open files and letting go of those finished.
extension Tailer {
    func drain(_ follower: Follower, _ handler: TailHandler) -> Int {
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
                logger.error("read failed", metadata: ["file": "\(follower.path)", "error": "\(FileSystemError(Int32(-n)))"])
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
            follower.lastDataAt = time.monotonic
            total += n
        }
        if total > 0 {
            observer.bytesRead(total)
            if follower.refreshFingerprint() || fingerprintGrew {
                registry.touch(follower.identity, fingerprint: follower.fingerprint, now: time.wall)
            }
        }
        return total
    }

    /// Lets go of files the core says are finished.
    func finishDrained(_ handler: TailHandler) {
        let now = time.monotonic
        followers.removeAll { follower in
            let progress = ReadProgress(phase: follower.phase, compressed: follower.gzip != nil, atEnd: follower.atEnd,
                                        gzipFailed: follower.gzip?.failed ?? false, deleted: follower.gzip != nil && follower.isDeleted,
                                        carriedBytes: follower.framer.carriedBytes, idleSeconds: now - follower.lastDataAt)
            switch core.finishingDecision(progress) {
            case .keepReading:
                return false
            case .finishAtCurrentEnd:
                markFinished(follower.identity, fingerprint: follower.fingerprint)
                logger.info("read live file to its current end", metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)"])
                return true
            case .abandonIncomplete:
                logger.error("compressed file is corrupt or was deleted before it was complete; not finished",
                             metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)"])
                observer.gzipAbandoned(path: follower.path)
                return true
            case .shipPartialLineAndFinish:
                logger.warning("shipping last line without newline of a rotated file", metadata: ["file": "\(follower.path)"])
                follower.framer.flushPartial(end: follower.readOffset) { handler.handle($0, from: follower) }
                finish(follower)
                return true
            case .finish:
                finish(follower)
                return true
            }
        }
    }

    private func finish(_ follower: Follower) {
        markFinished(follower.identity, fingerprint: follower.fingerprint)
        registry.finalize(follower.identity, size: follower.readOffset)
        logger.info("finished file", metadata: ["file": "\(follower.path)", "offset": "\(follower.readOffset)", "file_id": "\(follower.identity)"])
        observer.fileClosed(path: follower.path)
    }
}
