import Synchronization

/// Input a backfill could not read: `.gz` files that never became a whole gzip
/// stream, or were abandoned as corrupt. Files lost and read errors are counted
/// in `ShipStats`. Decides backfill's exit status 3.
final class InputTrouble: Sendable {
    private let incomplete = Mutex<Set<String>>([])
    private let abandoned = Mutex<Set<String>>([])
    private let skipped = Mutex<[String: String]>([:])

    func gzipIncomplete(_ path: String) { _ = incomplete.withLock { $0.insert(path) } }
    /// Not whole, but a copy of content read elsewhere: not trouble (the last reason given counts).
    func copySkipped(_ path: String, reason: String) {
        _ = incomplete.withLock { $0.remove(path) }
        skipped.withLock { $0[path] = reason }
    }

    /// Incomplete copies not read, with why, sorted by path.
    var skippedCopies: [(path: String, reason: String)] {
        skipped.withLock { $0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
    func opened(_ path: String) { _ = incomplete.withLock { $0.remove(path) } }
    func abandoned(_ path: String) { _ = abandoned.withLock { $0.insert(path) } }

    /// Paths that were never read whole, sorted.
    var unreadable: [String] {
        (incomplete.withLock { $0 }.union(abandoned.withLock { $0 })).sorted()
    }
}
