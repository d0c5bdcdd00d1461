import Logging
import TailshipShip
import TailshipTail

/// What a lane needs to make an outlet, and a reader of its own around one: at start,
/// and again when the shared reader lets it go.
// Unchecked: `audit` is used on one reader thread at a time (the shared reader, then the lane's own).
struct OutletRecipe: @unchecked Sendable {
    let name: String
    let config: ResolvedConfig
    let context: Lane.Context
    let logger: Logger
    let deadLetters: DeadLetterWriter
    let outputPolicy: PolicyHolder
    /// The first output counts the daemon's policy decisions and audit metrics (each event once).
    let primary: Bool
    let audit: AuditMetrics?
    let onComplete: (@Sendable () -> Void)?

    func outlet(queue: BatchQueue, shutdown: ShutdownClock, stats: ShipStats, feed: Feed, replay: [RecordedBatch]) -> Outlet {
        Outlet.make(name: name, config: config, queue: queue, shutdown: shutdown, stats: stats, feed: feed, logger: logger,
                    deadLetters: deadLetters, policies: context.policies, outputPolicy: outputPolicy,
                    policyCounts: primary ? context.state.policy : PolicyCounts(), audit: primary ? audit : nil, redaction: context.redaction,
                    backfill: context.backfill, replay: replay, onComplete: onComplete)
    }

    /// A reader feeding this output alone, tracking files in `registry`; `rejoining`: how it goes back to the shared reader.
    func reader(registry: Registry, outlet: Outlet, rejoining: ReaderLoop.Rejoining?) -> ReaderLoop {
        ReaderLoop(config: config, registry: registry, outlets: [outlet], role: .own(rejoining), logger: logger, policies: context.policies,
                   state: context.state, backfill: context.backfill, trouble: context.trouble)
    }
}
