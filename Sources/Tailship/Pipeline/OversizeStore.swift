import Foundation
import Logging
import TailshipBasics
import TailshipShip

/// Stores lines over `max_line_bytes` in the dead-letter directory, streamed as
/// they are read. Such a line is committed only once it is stored: while the
/// directory cannot be written (a full disk, a missing mount) reading waits on it
/// and retries, as the outputs do, rather than commit past a line kept nowhere.
/// Lives on the reader thread.
final class OversizeStore {
    private let deadLetters: DeadLetterWriter
    private let stats: ShipStats
    private let logger: Logger
    private let isStopping: () -> Bool
    /// Called once when a wait begins: the lines before the waiting one are shipped meanwhile.
    private let onStall: () -> Void
    private var file: DeadLetterLineFile?
    private var lastCritical = -Double.infinity
    /// Seconds between attempts while the directory cannot be written.
    var retryInterval = 1.0

    init(deadLetters: DeadLetterWriter, stats: ShipStats, logger: Logger, isStopping: @escaping () -> Bool,
         onStall: @escaping () -> Void) {
        self.onStall = onStall
        self.deadLetters = deadLetters
        self.stats = stats
        self.logger = logger
        self.isStopping = isStopping
    }

    /// Starts a line; false if a shutdown came first (the line is read again at the next start).
    func begin(path: String, identity: FileIdentity, sequence: Int) -> Bool {
        persist(path) { file = try deadLetters.openOversize(path: path, identity: identity, sequence: sequence) }
    }

    func append(_ bytes: UnsafeRawBufferPointer, path: String) -> Bool {
        persist(path) { try file?.append(bytes) }
    }

    /// Ends the line durably; the stored file's path, or nil if a shutdown came first.
    func finish(path: String) -> String? {
        guard persist(path, { try file?.finish() }), let stored = file?.path else { return nil }
        file = nil
        return stored
    }

    /// Runs `operation` until it succeeds or a shutdown is asked for: a critical line
    /// at once and then once a minute, counted, 1 in `tailship_dead_letter_stalled`.
    private func persist(_ path: String, _ operation: () throws -> Void) -> Bool {
        while true {
            do {
                try operation()
                if stats.deadLetterStalled.exchange(0, ordering: .relaxed) == 1 {
                    logger.notice("dead-letter directory writable again; reading goes on", metadata: ["file": "\(path)"])
                    lastCritical = -Double.infinity
                }
                return true
            } catch {
                stats.deadLetterWriteErrors.add(1, ordering: .relaxed)
                if stats.deadLetterStalled.exchange(1, ordering: .relaxed) == 0 { onStall() }
                let now = monotonicSeconds()
                if now - lastCritical >= 60 {
                    lastCritical = now
                    logger.critical("cannot store a line longer than max_line_bytes in the dead-letter directory; reading waits until it can, nothing after it is committed",
                                    metadata: ["error": "\(error)", "file": "\(path)", "directory": "\(deadLetters.directory)"])
                }
                if isStopping() { return false }
                usleep(useconds_t(retryInterval * 1_000_000))
                if isStopping() { return false }
            }
        }
    }
}
