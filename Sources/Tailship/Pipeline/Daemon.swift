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
    public let state: DaemonState
    /// Where the monitoring server listens, if it is on.
    public let monitoringAddress: String?
    private let group: ServiceGroup
    private let lock: RegistryLock
    private let completion = Completion()
    let lanes: LaneTable
    /// Input that could not be read whole (backfill's exit status 3).
    let trouble = InputTrouble()

    /// Backfill: whether every output's reader read every file to its end (false after an interruption).
    public var completed: Bool { completion.done.load(ordering: .acquiring) }

    /// The first output's counters (the only output's, in the one-output form).
    public var stats: ShipStats { lanes.all.first?.stats ?? ShipStats() }
    /// Each output's counters, by name.
    public var statsByOutput: [(name: String, stats: ShipStats)] { lanes.all.map { ($0.name, $0.stats) } }

    /// Lets the readers end a backfill: once every lane has read everything, marks it done and stops the group.
    final class Completion: Sendable {
        let done = Atomic<Bool>(false)
        let group = Mutex<ServiceGroup?>(nil)
        let lanes = Mutex<LaneTable?>(nil)

        func laneFinished() {
            guard let table = lanes.withLock({ $0 }), table.all.allSatisfy(\.completed) else { return }
            done.store(true, ordering: .releasing)
            if let group = group.withLock({ $0 }) {
                Task { await group.triggerGracefulShutdown() }
            }
        }
    }

    static func auditMetrics(_ config: ResolvedConfig, metrics: DaemonMetrics?, logger: Logger) -> AuditMetrics? {
        config.auditInsights.flatMap { settings in
            metrics.map { AuditMetrics(settings: settings, registry: $0.registry, topUsers: TopUsers(window: settings.window), logger: logger) }
        }
    }

    /// `resetRegistry` (`--registry-reset`): the registry is moved aside first and every file is read from the beginning.
    /// `shutdownSignals` false: the caller handles SIGINT/SIGTERM (backfill, through `interrupt()`).
    /// `only`: ship to this output alone (`backfill --output`); the others' offsets are kept as they are.
    public init(config: ResolvedConfig, logger: Logger, handleSignals: Bool = true, shutdownSignals: Bool = true,
                backfill: BackfillMode? = nil, resetRegistry: Bool = false, only: String? = nil) throws {
        self.config = config
        let metrics = config.monitoring.map { _ in DaemonMetrics() }
        let notifier = handleSignals ? SystemdNotifier() : nil
        let state = DaemonState(notifier: notifier)
        self.state = state
        let store = RegistryStore(path: config.registryPath)
        lock = try RegistryLock(registryPath: config.registryPath)
        let stored = try Self.loadRegistry(store, path: config.registryPath, reset: resetRegistry, logger: logger)
        let policies = PolicyHolder(config.policy)
        let audit = Self.auditMetrics(config, metrics: metrics, logger: logger)
        let context = Lane.Context(logger: logger, metrics: metrics, state: state, policies: policies, backfill: backfill, trouble: trouble,
                                   redaction: try RedactionRuntime.start(config.redaction, logger: logger))
        let lanes = LaneTable()
        self.lanes = lanes
        // Before the readers: the spool directory exists when they start following it, and a taken port fails the start.
        let webhooks = backfill != nil ? [] : try WebhookService.all(config, lanes: lanes, metrics: metrics, logger: logger)
        let completion = self.completion
        completion.lanes.withLock { $0 = lanes }
        var finish: (@Sendable () -> Void)?
        if backfill != nil { finish = { @Sendable in completion.laneFinished() } }
        let shared = try Self.makeLanes(config, only: only, stored: stored, context: context, audit: audit, finish: finish, into: lanes)
        let kept = Self.keptCursors(stored, configured: config.outputs.map(\.name), running: lanes.all.map(\.name), logger: logger)
        let monitoring = try Self.makeMonitoring(config, metrics: metrics, state: state, lanes: lanes, policies: policies, audit: audit, logger: logger)
        monitoringAddress = monitoring?.address
        let lanesService = LanesService(table: lanes, shared: shared, logger: logger)
        // Stopped in reverse order: the lanes (readers, then shippers) before the registry's last write,
        // the monitoring server and watchdog last.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let notifier, let interval = notifier.watchdogInterval {
            services.append(.init(service: WatchdogService(notifier: notifier, interval: interval)))
        }
        if let monitoring { services.append(.init(service: monitoring)) }
        services += [
            .init(service: RegistryService(lanes: lanes, kept: kept, store: store, interval: config.flushInterval.inSeconds, state: state,
                                           logger: logger)),
            .init(service: lanesService),
        ]
        if handleSignals {
            // Ignored from here on, so a SIGHUP before the reload service listens cannot kill the daemon.
            signal(SIGHUP, SIG_IGN)
            services.append(.init(service: ConfigReloadService(initial: config, policies: policies, lanes: lanesService, context: context,
                                                               logger: logger)))
        }
        if backfill == nil { services.append(.init(service: PinService(config: config, lanes: lanes, logger: logger))) }
        // Last, so stopped first: no request is taken once the readers stop.
        services += webhooks.map { .init(service: $0) }
        group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: handleSignals && shutdownSignals ? [.sigterm, .sigint] : [],
            logger: logger))
        completion.group.withLock { $0 = group }
        logger.info("tailship started", metadata: [
            "version": "\(TailshipVersion.current)", "registry": "\(config.registryPath)",
            "inputs": "\(config.inputs.flatMap(\.paths).joined(separator: ","))",
            "outputs": "\(lanes.all.map(\.name).joined(separator: ","))",
        ])
    }

    /// A lane per output (`only`: that one), in `lanes`; those whose stored offsets match share the returned reader.
    private static func makeLanes(_ config: ResolvedConfig, only: String?, stored: RegistrySet?, context: Lane.Context, audit: AuditMetrics?,
                                  finish: (@Sendable () -> Void)?, into lanes: LaneTable) throws -> ReaderLoop? {
        let running = config.outputs.filter { only == nil || $0.name == only }
        let together = SharedStart.members(running.map { ($0.name, stored?.document(for: $0.name)) })
        let cursors = together.first.map { first in
            SharedCursors(registry: Registry(stored?.document(for: first)), members: together)
        }
        for output in running {
            let start: Lane.Start = cursors.flatMap { together.contains(output.name) ? .shared($0) : nil } ?? .own(stored?.document(for: output.name))
            lanes.add(try Lane(config: config, output: output, start: start, context: context,
                               primary: output.name == running.first?.name, audit: audit, onComplete: finish))
        }
        let shared = cursors.map { cursors in
            ReaderLoop(config: config, registry: cursors.registry, outlets: lanes.all.compactMap(\.sharedOutlet), role: .shared(cursors),
                       logger: context.logger, policies: context.policies, state: context.state, backfill: context.backfill,
                       trouble: context.trouble)
        }
        context.shared.set(shared)
        return shared
    }

    /// Offsets of outputs not running in this process that stay in the registry file: with
    /// `--output`, the others'; otherwise none (an output no longer configured loses its offsets).
    private static func keptCursors(_ stored: RegistrySet?, configured: [String], running: [String], logger: Logger) -> [String: RegistryDocument] {
        guard let stored else { return [:] }
        let idle = configured.filter { !running.contains($0) }
        if let legacy = stored.legacy {
            logger.notice("registry migrated from version 1: its offsets now belong to every output", metadata: ["outputs": "\(configured.joined(separator: ","))"])
            return Dictionary(uniqueKeysWithValues: idle.map { ($0, legacy) })
        }
        let others = stored.outputs.filter { !running.contains($0.key) }
        let dropped = others.keys.filter { !configured.contains($0) }
        for name in dropped.sorted() {
            logger.notice("output no longer configured: its offsets are dropped from the registry", metadata: ["output": "\(name)"])
        }
        return others.filter { idle.contains($0.key) }
    }

    /// The monitoring server, if `monitoring.listen` is set.
    private static func makeMonitoring(_ config: ResolvedConfig, metrics: DaemonMetrics?, state: DaemonState, lanes: LaneTable,
                                       policies: PolicyHolder, audit: AuditMetrics?, logger: Logger) throws -> MonitoringServer? {
        guard let m = config.monitoring, let metrics else { return nil }
        let endpoints = MonitoringEndpoints(metrics: metrics, state: state, lanes: lanes, policies: policies,
                                            readyMaxFailureAge: m.readyMaxFailureAge, topUsers: audit?.topUsers)
        return try MonitoringServer(host: m.host, port: m.port, logger: logger) { endpoints.respond($0, $1) }
    }

    /// The registry as stored (moved aside first with `--registry-reset`); a corrupt one is logged and recovered from.
    private static func loadRegistry(_ store: RegistryStore, path: String, reset: Bool, logger: Logger) throws -> RegistrySet? {
        if reset {
            let aside = store.reset()
            logger.warning("--registry-reset: starting with no registry; every file is read again from the beginning", metadata: [
                "registry": "\(path)", "old_registry": "\(aside ?? "(none)")"])
        }
        let (document, recovered) = try store.loadRecovering()
        if let recovered {
            logger.critical("REGISTRY CORRUPT: \(recovered)", metadata: ["registry": "\(path)"])
        }
        return document
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
        for lane in lanes.all { lane.shutdown.interrupt() }
        await group.triggerGracefulShutdown()
    }

    /// `--timeout` reached: stops at once; what is not acknowledged is sent at the next run.
    func expire() async {
        for lane in lanes.all { lane.shutdown.expire() }
        await group.triggerGracefulShutdown()
    }
}

public enum TailshipVersion {
    public static let current = "0.1.0"
}
