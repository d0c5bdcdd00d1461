import Foundation
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

extension PinKeeper {
    /// Copies what one rotated file holds unacknowledged (`unshipped` bytes of content at
    /// its end; a .gz is copied whole); nil if it could not be, said once per file.
    func take(_ backup: Backup, status: FileStatus, head: [UInt8], unshipped: UInt64) -> Pin? {
        let path = backup.path
        let length = looks.look(path: path, status: status, compressed: backup.compressed)?.contentLength ?? status.size
        let from = backup.compressed || unshipped >= length ? 0 : length - unshipped
        switch directory.pin(path, identity: status.identity, head: head, from: from) {
        case .success(let pin):
            failingPaths.remove(path)
            logger.info("pinned rotated file until it is acknowledged (a copy of its unacknowledged bytes)", metadata: [
                "file": "\(path)", "pin": "\(pin.path)", "bytes": "\(status.size)", "from": "\(from)", "disk_bytes": "\(pin.diskBytes)"])
            return pin
        case .failure(let error) where error.code == ENOENT:
            return nil
        case .failure(let error):
            if failingPaths.insert(path).inserted {
                newFailures += 1
                logger.error("cannot pin rotated file; if it is deleted before it is shipped, its lines are lost", metadata: [
                    "file": "\(path)", "pin_directory": "\(directory.path)", "error": "\(error)"])
            }
            return nil
        }
    }

    /// Brings a pin up to its original's length: a file its rotator was still writing
    /// (logrotate's copy, a .gz being compressed) when it was first copied.
    func keepUp(_ pin: inout Pin, with path: String, status: FileStatus) {
        guard status.size > pin.size else { return }
        switch directory.extend(pin, from: path) {
        case .success(let size):
            pin.diskBytes += size - pin.size
            pin.size = size
            pin.modified = status.modifiedSeconds
        case .failure(let error):
            if failingPaths.insert(path).inserted {
                logger.error("cannot bring pin up to its file's length", metadata: ["file": "\(path)", "pin": "\(pin.path)", "error": "\(error)"])
            }
        }
    }

    /// Over `maxBytes` (bytes on disk), releases the oldest pins. One whose original is gone takes its
    /// unshipped bytes with it: logged as critical and reported lost.
    /// The outputs that had not shipped it lose it; those that had are not affected.
    func keepToBudget(_ pins: [Pin], withOriginal: Set<String>, cursors: [Cursor]) -> Report {
        var report = Report()
        var kept = pins.sorted { ($0.modified, $0.path) < ($1.modified, $1.path) }
        var total = kept.reduce(0) { $0 + $1.diskBytes }
        while total > maxBytes, let oldest = kept.first {
            kept.removeFirst()
            total -= oldest.diskBytes
            let behind = losing(oldest, cursors: cursors)
            let unshipped = behind.map(\.1).max() ?? 0
            let outputs = behind.map(\.0).sorted().joined(separator: ",")
            directory.release(oldest)
            releasedForBudget.insert(oldest.identity)
            if withOriginal.contains(oldest.path) {
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
