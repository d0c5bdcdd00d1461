import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TailshipShip
import TailshipTail

/// One output with its own cursor: its reader (which follows the inputs on a thread of
/// its own, through this output's registry), batcher, queue, shipper, sink, dead
/// letters and batch journal. A stalled output blocks only its own reader.
final class Lane: Sendable {
    /// What every lane of a daemon shares.
    struct Context: Sendable {
        let logger: Logger
        let metrics: DaemonMetrics?
        let state: DaemonState
        let policies: PolicyHolder
        let backfill: BackfillMode?
        let trouble: InputTrouble
    }

    let name: String
    let config: ResolvedConfig
    let registry: Registry
    let stats: ShipStats
    let credentials: RequestCredentials?
    /// The output's own policy, applied after the top-level one.
    let outputPolicy: PolicyHolder
    let shutdown: ShutdownClock
    let journal: BatchJournal?
    let reader: ReaderLoop
    let group: ServiceGroup
    private let finished = StopFlag()
    private let removed = StopFlag()

    /// Removed by a reload (not stopping with the daemon).
    var isRemoved: Bool { removed.isSet }

    func markRemoved() {
        removed.set()
        reader.notifiesStopping = false
    }

    /// Backfill: whether this lane's reader read every file to its end.
    var completed: Bool { finished.isSet }

    /// `config` is the daemon's; `output` the one this lane ships to. The `primary` lane (the
    /// first) observes audit metrics and policy counts, so each event counts once. `onComplete`: backfill.
    init(config daemonConfig: ResolvedConfig, output: ResolvedConfig.OutputLane, document: RegistryDocument?, context: Context,
         primary: Bool, audit: AuditMetrics?, onComplete: (@Sendable () -> Void)?) throws {
        let config = daemonConfig.lane(output)
        name = output.name
        self.config = config
        let logger = Self.logger(context.logger, name: output.name, of: daemonConfig)
        registry = Registry(document)
        let stats = context.metrics.map { ShipStats(metrics: $0.factory, output: output.name) } ?? ShipStats()
        self.stats = stats
        let deadLetters = DeadLetterWriter(directory: config.deadLetterDirectory)
        let (sink, credentials, maxInFlight) = try Self.makeSink(config, deadLetters: deadLetters, stats: stats, logger: logger)
        self.credentials = credentials
        outputPolicy = PolicyHolder(output.policy)
        shutdown = ShutdownClock(timeout: config.shutdownTimeout.inSeconds)
        let journal = BatchJournal.forOutput(config, name: output.name, logger: logger)
        self.journal = journal
        let replay = journal?.load(pendingIn: registry) ?? []
        let delays = context.metrics?.eventDelayTimer(output: output.name)
        let (queue, shipper) = Self.makeShipper(sink: sink, maxInFlight: maxInFlight, stats: stats, logger: logger,
                                                registry: registry, journal: journal) { batch in
            if let delays { DaemonMetrics.observeDelays(batch, delays) }
        }
        let finished = self.finished
        var done: (@Sendable () -> Void)?
        if let onComplete {
            done = { @Sendable in
                finished.set()
                onComplete()
            }
        }
        reader = ReaderLoop(config: config, registry: registry, queue: queue, deadLetters: deadLetters, stats: stats, shutdown: shutdown,
                            logger: logger, policies: context.policies, outputPolicy: outputPolicy, state: context.state,
                            primary: primary, audit: primary ? audit : nil,
                            backfill: context.backfill, trouble: context.trouble, replay: replay, onComplete: done)
        // Stopped in reverse order: the reader first, then the shipper drains.
        group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: ShipperService(shipper: shipper, sink: sink, shutdown: shutdown, logger: logger)),
                       .init(service: ReaderService(loop: reader))],
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

    /// The shipper, committing each acknowledged batch's offsets (in order) and observing its events' delays.
    private static func makeShipper(sink: any Sink, maxInFlight: Int, stats: ShipStats, logger: Logger, registry: Registry,
                                    journal: BatchJournal?, observe: @escaping @Sendable (Batch) -> Void) -> (BatchQueue, Shipper) {
        // Batches read ahead of the output. HTTP already holds a batch per core being compressed
        // beyond those in flight: two more keep the reader busy without holding more memory.
        let queue = BatchQueue(capacity: sink is any StagedSink ? 2 : max(4, maxInFlight))
        let preparing = ProcessInfo.processInfo.activeProcessorCount
        var beforeSend: (@Sendable (Batch) -> Void)?
        if let journal { beforeSend = { journal.record($0) } }
        // HTTP: a batch per core being compressed while max_in_flight are sent (StagedSink).
        return (queue, Shipper(queue: queue, sink: sink, maxInFlight: maxInFlight, preparing: preparing, stats: stats, logger: logger,
                       beforeSend: beforeSend) { batch in
            let now = Date().timeIntervalSince1970
            for segment in batch.segments {
                registry.commit(segment.identity, epoch: segment.epoch, offset: segment.end, now: now)
            }
            journal?.acknowledged(batch)
            observe(batch)
        })
    }
}
