import Logging
import TailshipShip
import TailshipTail

/// Turns framed pieces into batch content: lines are added, empty lines are
/// skipped (but committed), oversize lines go whole to the dead-letter directory.
/// Lives on the reader thread.
final class PipelineHandler: TailHandler {
    let batcher: Batcher
    private let deadLetters: DeadLetterWriter
    private let stats: ShipStats
    private let logger: Logger
    private var oversize: OversizeLineFile?
    private var oversizeFailed = false
    private var cached: (follower: ObjectIdentifier, epoch: UInt64, fingerprint: UInt64, source: LineSource)?
    /// Backfill's --since/--until, if given.
    private let timeFilter: AuditTimeFilter?

    init(batcher: Batcher, deadLetters: DeadLetterWriter, stats: ShipStats, logger: Logger, timeFilter: AuditTimeFilter? = nil) {
        self.batcher = batcher
        self.timeFilter = timeFilter
        self.deadLetters = deadLetters
        self.stats = stats
        self.logger = logger
    }

    /// Once true (shutdown), nothing more is batched; those lines are read again at the next start.
    var isStopping: @Sendable () -> Bool = { false }

    func handle(_ piece: FramedPiece, from follower: Follower) {
        if isStopping() { return }
        let source = source(of: follower)
        switch piece {
        case .line(let bytes, let end):
            stats.linesRead.add(1, ordering: .relaxed)
            let start = end - UInt64(bytes.count + 1)
            if bytes.isEmpty {
                batcher.skip(from: source, start: start, end: end)
            } else if let timeFilter, !timeFilter.keeps(bytes) {
                stats.linesFiltered.add(1, ordering: .relaxed)
                batcher.skip(from: source, start: start, end: end)
            } else {
                batcher.add(line: bytes, from: source, end: end, start: start)
            }
        case .oversizePart(let bytes, let first):
            if first {
                stats.oversizeLines.add(1, ordering: .relaxed)
                stats.linesRead.add(1, ordering: .relaxed)
                oversizeFailed = false
                do {
                    oversize = try deadLetters.openOversize(path: follower.path, identity: follower.identity, sequence: stats.oversizeLines.load(ordering: .relaxed))
                } catch {
                    oversizeFailed = true
                    logger.error("cannot store oversize line in the dead-letter directory", metadata: ["error": "\(error)", "path": "\(follower.path)"])
                }
            }
            do {
                try oversize?.append(bytes)
            } catch {
                oversizeFailed = true
                logger.error("cannot store oversize line in the dead-letter directory", metadata: ["error": "\(error)"])
                oversize = nil
            }
        case .oversizeEnd(let end, let length):
            var stored = "(not stored)"
            if let file = oversize {
                do {
                    try file.finish()
                    stored = file.path
                } catch {
                    oversizeFailed = true
                    logger.error("cannot store oversize line in the dead-letter directory", metadata: ["error": "\(error)"])
                }
            }
            oversize = nil
            logger.warning("line longer than max_line_bytes not shipped; stored in the dead-letter directory", metadata: [
                "path": "\(follower.path)", "bytes": "\(length)", "end_offset": "\(end)", "dead_letter": "\(stored)",
            ])
            batcher.skip(from: source, start: end - UInt64(length + 1), end: end)
        }
    }

    private func source(of follower: Follower) -> LineSource {
        let id = ObjectIdentifier(follower)
        if let c = cached, c.follower == id, c.epoch == follower.epoch, c.fingerprint == follower.fingerprint.hash,
           c.source.path == follower.path {
            return c.source
        }
        let s = LineSource(identity: follower.identity, epoch: follower.epoch, fingerprint: follower.fingerprint.hash, path: follower.path)
        cached = (id, follower.epoch, follower.fingerprint.hash, s)
        return s
    }
}
