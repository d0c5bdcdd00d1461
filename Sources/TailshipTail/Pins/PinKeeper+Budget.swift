import Foundation
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

extension PinKeeper {
    /// Links one rotated file; nil if it could not be (pinning may be off after it).
    func take(_ path: String, status: FileStatus) -> Pin? {
        switch directory.pin(path, identity: status.identity) {
        case .success(let target):
            failingPaths.remove(path)
            logger.info("pinned rotated file until it is acknowledged", metadata: [
                "file": "\(path)", "pin": "\(target)", "bytes": "\(status.size)"])
            return Pin(path: target, identity: status.identity, originalName: (path as NSString).lastPathComponent,
                       size: status.size, modified: status.modifiedSeconds)
        case .failure(let error) where error.code == ENOENT:
            return nil
        case .failure(let error) where [EXDEV, EPERM, EACCES, EROFS].contains(error.code):
            disabledReason = error.code == EXDEV
                ? "the pin directory is on another filesystem or mount than \(path) (EXDEV)"
                : "cannot link \(path) into the pin directory (\(error)); with fs.protected_hardlinks, linking another user's file needs CAP_FOWNER"
            logger.critical("pinning is off: \(disabledReason!)", metadata: ["pin_directory": "\(directory.path)"])
            return nil
        case .failure(let error):
            if failingPaths.insert(path).inserted {
                logger.error("cannot pin rotated file", metadata: ["file": "\(path)", "error": "\(error)"])
            }
            return nil
        }
    }

    /// Over `maxBytes`, releases the oldest pins. One whose original is gone takes its
    /// unshipped bytes with it: logged as critical and reported lost.
    /// The outputs that had not shipped it lose it; those that had are not affected.
    func keepToBudget(_ pins: [Pin], originals: Set<FileIdentity>, cursors: [Cursor]) -> Report {
        var report = Report()
        var kept = pins.sorted { ($0.modified, $0.path) < ($1.modified, $1.path) }
        var total = kept.reduce(0) { $0 + $1.size }
        while total > maxBytes, let oldest = kept.first {
            kept.removeFirst()
            total -= oldest.size
            let behind = losing(oldest, cursors: cursors)
            let unshipped = behind.map(\.1).max() ?? 0
            let outputs = behind.map(\.0).sorted().joined(separator: ",")
            directory.release(oldest)
            releasedForBudget.insert(oldest.identity)
            if originals.contains(oldest.identity) {
                logger.warning("pins.max_bytes reached: pin released; the file is still at its own path but no longer kept",
                               metadata: ["pin": "\(oldest.path)", "unshipped_bytes": "\(unshipped)", "outputs": "\(outputs)"])
            } else {
                logger.critical("pins.max_bytes reached: pinned file released before it was shipped; its unshipped lines are lost to these outputs",
                                metadata: ["file": "\(oldest.originalName)", "pin": "\(oldest.path)", "unshipped_bytes": "\(unshipped)",
                                           "outputs": "\(outputs)"])
                for (name, n) in behind { report.lost.append((oldest.originalName, n, name)) }
            }
        }
        report.pinnedBytes = total
        report.pinnedFiles = kept.count
        return report
    }

    /// The outputs that lose `pin`'s unshipped bytes when it goes, with those bytes. An output
    /// whose reader knows the file is not among them: that reader holds it open (and reads
    /// on through its descriptor) or finished it, and reports a loss itself if it cannot read it.
    private func losing(_ pin: Pin, cursors: [Cursor]) -> [(String, UInt64)] {
        let status = status(of: pin)
        let head = looks.look(path: pin.path, status: status, compressed: pin.compressed)?.head ?? []
        let verdicts = verdicts(path: pin.path, status: status, compressed: pin.compressed, cursors: cursors) ?? [:]
        return cursors.compactMap { c in
            guard case .unshipped(let n)? = verdicts[c.name] else { return nil }
            if let reading = c.reading, knows(pin.identity, head: head, in: reading) || !copies(of: head, in: reading).isEmpty {
                logger.debug("pin released over budget; the output's reader knows the file", metadata: ["pin": "\(pin.path)", "output": "\(c.name)"])
                return nil
            }
            return (c.name, n)
        }
    }
}
