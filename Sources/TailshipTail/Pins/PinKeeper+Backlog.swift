import Foundation
import TailshipBasics

extension PinKeeper {
    /// What the rotated files, pins and live files of this input hold that one output has not acknowledged.
    func backlog(matched: [String], rotated: [(backup: Backup, status: FileStatus)], pins: [Pin], cursor: Cursor) -> Backlog {
        var files: [Backlog.File] = []
        func add(_ path: String, _ status: FileStatus, compressed: Bool) {
            guard let look = looks.look(path: path, status: status, compressed: compressed),
                  case .unshipped(let n)? = verdicts(path: path, status: status, compressed: compressed, cursors: [cursor])?[cursor.name] else { return }
            files.append(Backlog.File(identity: status.identity, head: look.head, unshipped: n, modified: status.modifiedSeconds))
        }
        for (backup, status) in rotated { add(backup.path, status, compressed: backup.compressed) }
        for pin in pins { add(pin.path, status(of: pin), compressed: pin.compressed) }
        let rotatedPaths = Set(rotated.map(\.backup.path))
        let fs = PosixFileSystem()
        for path in matched where !rotatedPaths.contains(path) {
            guard let status = try? fs.status(path).get(), status.isRegular,
                  let look = looks.look(path: path, status: status, compressed: false) else { continue }
            let unshipped: UInt64
            if let entry = cursor.registry.entry(for: status.identity), PinVerdict.describes(entry, look.head) {
                unshipped = status.size > entry.offset ? status.size - entry.offset : 0
            } else {
                // Not opened yet: read from its start, unless start_at: end skips what is there.
                unshipped = options.startAtEnd ? 0 : status.size
            }
            if unshipped > 0 {
                files.append(Backlog.File(identity: status.identity, head: look.head, unshipped: unshipped, modified: status.modifiedSeconds))
            }
        }
        return Backlog(files)
    }
}
