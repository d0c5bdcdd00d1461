import Prometheus
import Synchronization
import TailshipWebhook

/// A webhook input's series: requests by status and events received (copied in at each
/// scrape), spool bytes and segments, and the append+fsync latency (observed as it happens).
final class WebhookMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let stats: WebhookStats
    private let spool: SpoolWriter
    private let latency: DurationHistogram
    private struct Synced {
        var requests: [Int: (counter: Prometheus.Counter, last: Int)] = [:]
        var events = 0
    }
    private let synced = Mutex(Synced())
    private let events: Prometheus.Counter
    private let bytes: Prometheus.Gauge
    private let segments: Prometheus.Gauge

    init(registry: PrometheusCollectorRegistry, stats: WebhookStats, spool: SpoolWriter) {
        self.registry = registry
        self.stats = stats
        self.spool = spool
        let seconds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1].map { Duration.microseconds(Int64($0 * 1e6)) }
        latency = registry.makeDurationHistogram(
            descriptor: DaemonMetrics.describe("tailship_webhook_append_seconds", "Seconds one write and fdatasync of the spool took (requests waiting then are written together)."),
            buckets: seconds)
        events = registry.makeCounter(descriptor: DaemonMetrics.describe("tailship_webhook_events_total", "Audit events received by the webhook and synced to the spool (answered 200)."))
        bytes = registry.makeGauge(descriptor: DaemonMetrics.describe("tailship_spool_bytes", "Bytes in the webhook's spool segments (429 past spool.max_bytes)."))
        segments = registry.makeGauge(descriptor: DaemonMetrics.describe("tailship_spool_segments", "Webhook spool segments on disk, the one written to included."))
    }

    /// For the spool writer: one append's duration.
    func observe(seconds: Double) { latency.record(.nanoseconds(Int64(seconds * 1e9))) }

    /// Copies the counters in (before the exposition text is made).
    func sync() {
        let usage = spool.usage
        bytes.set(to: Double(usage.bytes))
        segments.set(to: Double(usage.segments))
        let requests = stats.requests, received = stats.eventsReceived.load(ordering: .relaxed)
        synced.withLock { s in
            for (status, count) in requests {
                let entry = s.requests[status] ?? (registry.makeCounter(descriptor: DaemonMetrics.describe(
                    "tailship_webhook_requests_total", "Webhook requests by the HTTP status they were answered with."), labels: [("code", "\(status)")]), 0)
                if count > entry.last { entry.counter.increment(by: Int64(count - entry.last)) }
                s.requests[status] = (entry.counter, count)
            }
            if received > s.events { events.increment(by: Int64(received - s.events)) }
            s.events = received
        }
    }
}
