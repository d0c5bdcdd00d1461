import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TailshipShip
import TailshipTail

/// One output with its own cursor: its batcher, queue, shipper, sink, dead letters and
/// batch journal. Its lines come from the shared reader (with the other outputs whose
/// offsets matched at start) or from a reader of its own: an output added by a reload,
/// one whose offsets differed, or one let go by the shared reader for falling behind.
final class Lane: Sendable {
    /// What every lane of a daemon shares.
    struct Context: Sendable {
        let logger: Logger
        let metrics: DaemonMetrics?
        let state: DaemonState
        let policies: PolicyHolder
        let backfill: BackfillMode?
        let trouble: InputTrouble
        /// Redaction and pseudonymisation, with their keys; nil when off.
        let redaction: RedactionRuntime?
        /// The shared reader, which lanes reading on their own rejoin when level with it.
        let shared = SharedReaderRef()
    }

    /// Where the lane's lines come from at start.
    enum Start {
        /// A reader of its own, from this document's offsets (nil: a new output).
        case own(RegistryDocument?)
        /// The shared reader, tracking files in these cursors' registry.
        case shared(SharedCursors)
    }

    let name: String
    let config: ResolvedConfig
    let stats: ShipStats
    let credentials: RequestCredentials?
    /// The output's own policy, applied after the top-level one.
    let outputPolicy: PolicyHolder
    let shutdown: ShutdownClock
    let journal: BatchJournal?
    let reading: LaneReading
    /// The outlet the shared reader feeds; nil for a lane with a reader of its own from the start.
    let sharedOutlet: Outlet?
    let group: ServiceGroup
    private let finished = StopFlag()

    /// What this output has acknowledged (the registry file's document for it).
    func document() -> RegistryDocument { reading.cursors.document(for: name) }

    /// A registry with this output's own offsets (for pins and lag): its live one, or a copy.
    func ownRegistry() -> Registry {
        let c = reading.cursors
        return c.members == [name] ? c.registry : Registry(c.document(for: name))
    }

    /// The registry its reader tracks files in (shared with other outputs, or its own).
    var readingRegistry: Registry { reading.cursors.registry }

    /// Removed by a reload (not stopping with the daemon).
    var isRemoved: Bool { reading.isRemoved }

    func markRemoved() { reading.markRemoved() }

    /// Backfill: whether this lane's reader read every file to its end.
    var completed: Bool { finished.isSet }

    /// `config` is the daemon's; `output` the one this lane ships to. The `primary` lane (the
    /// first) observes audit metrics and policy counts, so each event counts once. `onComplete`: backfill.
    init(config daemonConfig: ResolvedConfig, output: ResolvedConfig.OutputLane, start: Start, context: Context,
         primary: Bool, audit: AuditMetrics?, onComplete: (@Sendable () -> Void)?) throws {
        let config = daemonConfig.lane(output)
        name = output.name
        self.config = config
        let logger = Self.logger(context.logger, name: output.name, of: daemonConfig)
        let stats = context.metrics.map { ShipStats(metrics: $0.factory, output: output.name) } ?? ShipStats()
        self.stats = stats
        let deadLetters = DeadLetterWriter(directory: config.deadLetterDirectory)
        let (sink, credentials, maxInFlight) = try Self.makeSink(config, deadLetters: deadLetters, stats: stats, logger: logger)
        self.credentials = credentials
        outputPolicy = PolicyHolder(output.policy)
        shutdown = ShutdownClock(timeout: config.shutdownTimeout.inSeconds)
        let journal = BatchJournal.forOutput(config, name: output.name, logger: logger)
        self.journal = journal
        let finished = self.finished
        let recipe = OutletRecipe(name: output.name, config: config, context: context, logger: logger, deadLetters: deadLetters,
                                  outputPolicy: outputPolicy, primary: primary, audit: audit,
                                  onComplete: onComplete.map { done in { @Sendable in finished.set(); done() } })
        let cursors: SharedCursors
        switch start {
        case .own(let document): cursors = SharedCursors(registry: Registry(document), members: [output.name])
        case .shared(let shared): cursors = shared
        }
        let delays = context.metrics?.eventDelayTimer(output: output.name)
        let queue = Self.makeQueue(for: sink, maxInFlight: maxInFlight)
        let reading = LaneReading(name: output.name, cursors: cursors, queue: queue, shutdown: shutdown, stats: stats, recipe: recipe)
        self.reading = reading
        let shipper = Self.makeShipper(queue: queue, sink: sink, maxInFlight: maxInFlight, stats: stats, logger: logger, journal: journal) { batch in
            reading.acknowledged(batch, journal: journal)
            if let delays { DaemonMetrics.observeDelays(batch, delays) }
        }
        let replay = journal?.load(pendingIn: cursors.registry) ?? []
        var shared = false
        if case .shared = start { shared = true }
        sharedOutlet = reading.start(shared: shared, replay: replay)
        // Stopped in reverse order: the reading first, then the shipper drains.
        group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: ShipperService(shipper: shipper, sink: sink, shutdown: shutdown, logger: logger)),
                       .init(service: FeedService(reading: reading))],
            gracefulShutdownSignals: [], logger: logger))
    }

    /// With several outputs every log line names its output.
    private static func logger(_ base: Logger, name: String, of config: ResolvedConfig) -> Logger {
        var logger = base
        if config.outputs.count > 1 || name != ResolvedConfig.defaultOutputName { logger[metadataKey: "output"] = "\(name)" }
        return logger
    }

    /// The output, its reloadable credentials (HTTP) and how many batches it takes at once.
    private static func makeSink(_ config: ResolvedConfig, deadLetters: DeadLetterWriter, stats: ShipStats,
                                 logger: Logger) throws -> (any Sink, RequestCredentials?, Int) {
        switch config.output {
        case .http(let options):
            let http = try HTTPSink(options: options, deadLetters: deadLetters, stats: stats, logger: logger)
            return (http, http.credentials, options.maxInFlight)
        case .file(let directory, let maxFileBytes, let level):
            // Compressed on every core at once; appended one at a time, in order (OrderedSink).
            let sink = FileSink(directory: directory, maxFileBytes: maxFileBytes, level: level, engine: config.compressionEngine,
                                stats: stats, logger: logger)
            return (sink, nil, max(1, ProcessInfo.processInfo.activeProcessorCount))
        }
    }

    /// Batches read ahead of the output. HTTP already holds a batch per core being compressed
    /// beyond those in flight: two more keep the reader busy without holding more memory.
    private static func makeQueue(for sink: any Sink, maxInFlight: Int) -> BatchQueue {
        BatchQueue(capacity: sink is any StagedSink ? 2 : max(4, maxInFlight))
    }

    /// The shipper, committing each acknowledged batch's offsets (in order) and observing its events' delays.
    private static func makeShipper(queue: BatchQueue, sink: any Sink, maxInFlight: Int, stats: ShipStats, logger: Logger,
                                    journal: BatchJournal?, acknowledged: @escaping @Sendable (Batch) -> Void) -> Shipper {
        let preparing = ProcessInfo.processInfo.activeProcessorCount
        var beforeSend: (@Sendable (Batch) -> Void)?
        if let journal { beforeSend = { journal.record($0) } }
        // HTTP: a batch per core being compressed while max_in_flight are sent (StagedSink).
        return Shipper(queue: queue, sink: sink, maxInFlight: maxInFlight, preparing: preparing, stats: stats, logger: logger,
                       beforeSend: beforeSend, onAcknowledged: acknowledged)
    }
}
