import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TailshipShip
import TailshipTail
#if canImport(Glibc)
import Glibc
#endif

/// The whole pipeline as one ServiceGroup: registry writer (stopped last),
/// shipper, and reader (stopped first, on SIGTERM or SIGINT).
public final class Daemon: Sendable {
    public let config: ResolvedConfig
    public let stats: ShipStats
    public let registry: Registry
    public let state: DaemonState
    /// Where the monitoring server listens, if it is on.
    public let monitoringAddress: String?
    private let group: ServiceGroup
    private let lock: RegistryLock
    private let completion = Completion()
    private let shutdown: ShutdownClock
    /// Input that could not be read whole (backfill's exit status 3).
    let trouble = InputTrouble()

    /// Backfill: whether every file was read to its end (false after an interruption).
    public var completed: Bool { completion.done.load(ordering: .acquiring) }

    /// Lets the reader thread end a backfill: marks it done and stops the group.
    final class Completion: Sendable {
        let done = Atomic<Bool>(false)
        let group = Mutex<ServiceGroup?>(nil)

        func finish() {
            done.store(true, ordering: .releasing)
            if let group = group.withLock({ $0 }) {
                Task { await group.triggerGracefulShutdown() }
            }
        }
    }

    /// `resetRegistry` (`--registry-reset`): the registry is moved aside first and every file is read from the beginning.
    /// `shutdownSignals` false: the caller handles SIGINT/SIGTERM (backfill, through `interrupt()`).
    public init(config: ResolvedConfig, logger: Logger, handleSignals: Bool = true, shutdownSignals: Bool = true,
                backfill: BackfillMode? = nil, resetRegistry: Bool = false) throws {
        self.config = config
        let metrics = config.monitoring.map { _ in DaemonMetrics() }
        let stats = metrics.map { ShipStats(metrics: $0.factory) } ?? ShipStats()
        self.stats = stats
        let notifier = handleSignals ? SystemdNotifier() : nil
        let state = DaemonState(notifier: notifier)
        self.state = state
        let store = RegistryStore(path: config.registryPath)
        lock = try RegistryLock(registryPath: config.registryPath)
        registry = try Self.loadRegistry(store, path: config.registryPath, reset: resetRegistry, logger: logger)
        let deadLetters = DeadLetterWriter(directory: config.deadLetterDirectory)
        let (sink, credentials, maxInFlight) = try Self.makeSink(config, deadLetters: deadLetters, stats: stats, logger: logger)
        let policies = PolicyHolder(config.policy), registry = self.registry
        let audit = config.auditInsights.flatMap { settings in
            metrics.map { AuditMetrics(settings: settings, registry: $0.registry, topUsers: TopUsers(window: settings.window), logger: logger) }
        }
        let monitoring = try Self.makeMonitoring(config, metrics: metrics, stats: stats, state: state, registry: registry,
                                                 policies: policies, audit: audit, logger: logger)
        monitoringAddress = monitoring?.address
        let shutdown = ShutdownClock(timeout: config.shutdownTimeout.inSeconds)
        self.shutdown = shutdown
        let journal = BatchJournal.forOutput(config, logger: logger)
        let replay = journal?.load(pendingIn: registry) ?? []
        let (queue, shipper) = Self.makeShipper(sink: sink, maxInFlight: maxInFlight, stats: stats, logger: logger,
                                                registry: registry, metrics: metrics, journal: journal)
        let finish: @Sendable () -> Void = { [completion] in completion.finish() }
        let reader = ReaderLoop(config: config, registry: registry, queue: queue, deadLetters: deadLetters, stats: stats,
                                shutdown: shutdown, logger: logger, policies: policies, state: state, audit: audit,
                                backfill: backfill, trouble: trouble, replay: replay, onComplete: backfill == nil ? nil : finish)
        // Stopped in reverse order: the reader first, the monitoring server and watchdog last.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let notifier, let interval = notifier.watchdogInterval {
            services.append(.init(service: WatchdogService(notifier: notifier, interval: interval)))
        }
        if let monitoring { services.append(.init(service: monitoring)) }
        services += [
            .init(service: RegistryService(registry: registry, store: store, interval: config.flushInterval.inSeconds, state: state,
                                           logger: logger, journal: journal)),
            .init(service: ShipperService(shipper: shipper, sink: sink, shutdown: shutdown, logger: logger)),
        ]
        if handleSignals {
            // Ignored from here on, so a SIGHUP before the reload service listens cannot kill the daemon.
            signal(SIGHUP, SIG_IGN)
            services.append(.init(service: ConfigReloadService(initial: config, policies: policies, credentials: credentials, logger: logger)))
        }
        if backfill == nil { services.append(.init(service: PinService(config: config, registry: registry, stats: stats, logger: logger))) }
        services.append(.init(service: ReaderService(loop: reader)))
        group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: handleSignals && shutdownSignals ? [.sigterm, .sigint] : [],
            logger: logger))
        completion.group.withLock { $0 = group }
        logger.info("tailship started", metadata: [
            "version": "\(TailshipVersion.current)", "registry": "\(config.registryPath)",
            "inputs": "\(config.inputs.flatMap(\.paths).joined(separator: ","))",
        ])
    }

    /// The monitoring server, if `monitoring.listen` is set.
    private static func makeMonitoring(_ config: ResolvedConfig, metrics: DaemonMetrics?, stats: ShipStats, state: DaemonState, registry: Registry,
                                       policies: PolicyHolder, audit: AuditMetrics?, logger: Logger) throws -> MonitoringServer? {
        guard let m = config.monitoring, let metrics else { return nil }
        let endpoints = MonitoringEndpoints(metrics: metrics, stats: stats, state: state, registry: registry, policies: policies,
                                            readyMaxFailureAge: m.readyMaxFailureAge, topUsers: audit?.topUsers)
        return try MonitoringServer(host: m.host, port: m.port, logger: logger) { endpoints.respond($0, $1) }
    }

    /// The registry as stored (moved aside first with `--registry-reset`); a corrupt one is logged and recovered from.
    private static func loadRegistry(_ store: RegistryStore, path: String, reset: Bool, logger: Logger) throws -> Registry {
        if reset {
            let aside = store.reset()
            logger.warning("--registry-reset: starting with no registry; every file is read again from the beginning", metadata: [
                "registry": "\(path)", "old_registry": "\(aside ?? "(none)")"])
        }
        let (document, recovered) = try store.loadRecovering()
        if let recovered {
            logger.critical("REGISTRY CORRUPT: \(recovered)", metadata: ["registry": "\(path)"])
        }
        return Registry(document)
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
    private static func makeShipper(sink: any Sink, maxInFlight: Int, stats: ShipStats, logger: Logger,
                                    registry: Registry, metrics: DaemonMetrics?, journal: BatchJournal?) -> (BatchQueue, Shipper) {
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
            metrics?.observeDelays(batch)
        })
    }

    /// Runs until shut down; returns after the registry's last write.
    public func run() async throws {
        try await group.run()
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    public func stop() async {
        await group.triggerGracefulShutdown()
    }

    /// SIGINT/SIGTERM for a backfill: stops reading and drains for at most
    /// `shutdown_timeout` (also when reading had finished and the drain had no
    /// deadline); a second one stops at once.
    func interrupt() async {
        shutdown.interrupt()
        await group.triggerGracefulShutdown()
    }

    /// `--timeout` reached: stops at once; what is not acknowledged is sent at the next run.
    func expire() async {
        shutdown.expire()
        await group.triggerGracefulShutdown()
    }
}

public enum TailshipVersion {
    public static let current = "0.1.0"
}
