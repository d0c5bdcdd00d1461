import Logging
import ServiceLifecycle
import Synchronization
import TailshipWebhook

/// One webhook input: its server and spool, and the deletion of segments every output
/// has acknowledged. Started last, so it is the first to stop: no request is accepted
/// once the readers stop, and those waiting are answered first.
final class WebhookService: Service, Sendable {
    let server: WebhookServer
    private let lanes: LaneTable
    private let logger: Logger
    static let cleanEvery: Duration = .milliseconds(500)

    init(settings: WebhookSettings, lanes: LaneTable, metrics: DaemonMetrics?, logger: Logger) throws {
        let stats = WebhookStats()
        let series = LatencySink()
        let spool = try SpoolWriter(settings: settings.spool, logger: logger) { series.observe($0) }
        if let metrics {
            let w = WebhookMetrics(registry: metrics.registry, stats: stats, spool: spool)
            series.set(w)
            metrics.webhooks.withLock { $0.append(w) }
        }
        server = try WebhookServer(settings: settings, spool: spool, stats: stats, logger: logger)
        self.lanes = lanes
        self.logger = logger
    }

    /// One for each webhook input.
    static func all(_ config: ResolvedConfig, lanes: LaneTable, metrics: DaemonMetrics?, logger: Logger) throws -> [WebhookService] {
        try config.inputs.compactMap(\.webhook).map { try WebhookService(settings: $0, lanes: lanes, metrics: metrics, logger: logger) }
    }

    func run() async throws {
        logger.info("audit webhook listening", metadata: [
            "address": "\(server.address)", "path": "\(server.settings.path)", "tls": "\(server.settings.tls != nil)",
            "client_ca": "\(server.settings.tls?.clientCAFile != nil)", "spool": "\(server.settings.spool.directory)"])
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                self.deleteAcknowledged()
                try await Task.sleep(for: Self.cleanEvery)
            }
        }
        await server.close()
        logger.info("audit webhook stopped")
    }

    /// Deletes the closed segments every output has acknowledged to their end.
    func deleteAcknowledged() {
        let registries = lanes.all.map { $0.ownRegistry() }
        guard !registries.isEmpty else { return }
        for segment in server.spool.closedSegments {
            let head = SpoolRelease.head(of: segment)
            if SpoolRelease.acknowledged(segment, head: head, entries: registries.map { $0.entry(for: segment.identity) }) {
                server.spool.delete(segment)
            }
        }
    }
}

/// The latency histogram, once made (the spool writer exists before its series do).
private final class LatencySink: Sendable {
    private let series = Mutex<WebhookMetrics?>(nil)
    func set(_ w: WebhookMetrics) { series.withLock { $0 = w } }
    func observe(_ seconds: Double) { series.withLock { $0 }?.observe(seconds: seconds) }
}
