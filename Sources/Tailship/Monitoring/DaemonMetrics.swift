import TailshipBasics
import Metrics
import Prometheus
import Synchronization
import TailshipShip
import TailshipTail

/// The Prometheus view of a daemon. Histograms are observed as things happen
/// (through swift-metrics, backed by swift-prometheus); counters and gauges are
/// copied from the pipeline's atomics when scraped, so reading and shipping
/// never wait on a metrics lock.
public final class DaemonMetrics: Sendable {
    /// For swift-metrics users (the shipper's send-duration timer).
    public var factory: any MetricsFactory { describedFactory }
    private let describedFactory: DescribedTimerFactory
    private let prometheus: PrometheusCollectorRegistry
    /// Where other metrics (audit metrics) register theirs.
    var registry: PrometheusCollectorRegistry { prometheus }
    private let synced = Mutex(Synced())
    /// The webhook inputs' series, copied in at each scrape.
    let webhooks = Mutex<[WebhookMetrics]>([])

    /// Series by key and output (`events_shipped/siem`), made when first needed.
    private struct Synced {
        var last: [String: Int] = [:]
        var counters: [String: Prometheus.Counter] = [:]
        var gauges: [String: Prometheus.Gauge] = [:]
        var policy: [String: Prometheus.Counter] = [:]
        var lag: [String: Prometheus.Gauge] = [:]
    }

    /// Daemon-wide series; every other counter and gauge carries `output="<name>"`.
    static let daemonWide: Set<String> = ["registry_writes", "registry_write_errors", "pinned_files", "pinned_bytes", "pins_enabled",
                                          "registry_last_write"]

    static let eventDelayName = "tailship_event_delay_seconds"

    /// Name, help, and for counters the label set (one series each).
    static let counterDefinitions: [(key: String, name: String, labels: [(String, String)], help: String)] = [
        ("lines_read", "tailship_lines_read_total", [], "Lines read from followed files, oversize ones included."),
        ("bytes_read", "tailship_bytes_read_total", [], "Bytes read from followed files (decompressed for .gz)."),
        ("events_shipped", "tailship_events_shipped_total", [], "Events in batches the output acknowledged."),
        ("batches_ok", "tailship_batches_total", [("outcome", "ok")], "Batch outcomes: ok (acknowledged), retry (one failed attempt), dead_letter (stored in the dead-letter directory)."),
        ("batches_retry", "tailship_batches_total", [("outcome", "retry")], ""),
        ("batches_dead_letter", "tailship_batches_total", [("outcome", "dead_letter")], ""),
        ("batch_errors", "tailship_batch_errors_total", [], "Unexpected errors delivering a batch (not a refusal by the output); the batch is tried again."),
        ("events_dead_lettered", "tailship_events_dead_lettered_total", [], "Events stored in the dead-letter directory instead of being delivered."),
        ("lines_duplicate", "tailship_lines_duplicate_total", [], "Lines not shipped as copies of an event read shortly before (same auditID and stage; webhook dedupe_with_files)."),
        ("lines_oversize", "tailship_lines_oversize_total", [], "Lines longer than max_line_bytes, stored in the dead-letter directory."),
        ("lines_invalid", "tailship_lines_invalid_total", [], "With a policy: lines that are not audit events; without: lines that are not JSON objects (HTTP output)."),
        ("dead_letter_write_errors", "tailship_dead_letter_write_errors_total", [], "Failed writes of a line over max_line_bytes to the dead-letter directory; reading waits and retries."),
        ("registry_writes", "tailship_registry_writes_total", [], "Registry files written."),
        ("files_lost", "tailship_files_lost_total", [], "Files that disappeared before all of their bytes were shipped."),
        ("pin_failures", "tailship_pin_failures_total", [], "Rotated files with unshipped bytes that could not be pinned (the copy failed: disk full, no access), each counted once."),
        ("read_errors", "tailship_read_errors_total", [], "Input paths that could not be opened or read (permissions, not a regular file, a symlink loop); counted once per path until it reads again."),
        ("registry_write_errors", "tailship_registry_write_errors_total", [], "Failed registry writes (a full disk); the previous registry file stays in place."),
    ]

    static let gaugeDefinitions: [(key: String, name: String, help: String)] = [
        ("backlog", "tailship_backlog_bytes", "Bytes of input not yet acknowledged: live files, rotated files read or not yet opened, .gz backups (decompressed length), pinned files; one content counted once."),
        ("backlog_oldest", "tailship_backlog_oldest_seconds", "Age (from its modification time) of the oldest file holding bytes not yet acknowledged; 0 when none."),
        ("open_files", "tailship_open_files", "Files open for reading."),
        ("shared_reader", "tailship_shared_reader", "1 while the output is fed by the reader it shares with other outputs (lines read once); 0 while it reads on its own."),
        ("pinned_files", "tailship_pinned_files", "Rotated files kept by a copy in the pin directory until they are acknowledged."),
        ("pinned_bytes", "tailship_pinned_bytes", "Bytes on disk of the pinned files (alert near pins.max_bytes)."),
        ("pins_enabled", "tailship_pins_enabled", "1 when pinning works; 0 when it is off (pins.enabled: false, or the pin directory cannot be used)."),
        ("dead_letter_stalled", "tailship_dead_letter_stalled", "1 while reading waits because a line over max_line_bytes cannot be stored in the dead-letter directory."),
        ("inflight", "tailship_inflight_batches", "HTTP: requests being sent (batches compressed ahead of them not counted); files: batches taken and not yet stored."),
        ("registry_last_write", "tailship_registry_last_write_timestamp_seconds", "Unix time of the last registry write (0: none yet)."),
    ]

    public init() {
        let prometheus = PrometheusCollectorRegistry()
        self.prometheus = prometheus
        let seconds = { (values: [Double]) in values.map { Duration.milliseconds(Int($0 * 1000)) } }
        let factory = DescribedTimerFactory(base: PrometheusMetricsFactory(registry: prometheus), registry: prometheus, timers: [
            ShipStats.sendDurationName: .init(help: "Seconds one request (HTTP) or one append (file) took.",
                                              buckets: seconds([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])),
            Self.eventDelayName: .init(help: "Seconds from an audit event's stageTimestamp to its acknowledgement by the output.",
                                       buckets: seconds([0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600])),
        ])
        describedFactory = factory
        prometheus.makeGauge(descriptor: Self.describe("tailship_build_info", "Always 1; the version is in the label."),
                             labels: [("version", TailshipVersion.current)]).set(to: 1)
    }

    /// The whole name is given; swift-prometheus joins non-empty parts with `_`.
    static func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// One output's write-to-acknowledgement histogram.
    func eventDelayTimer(output: String) -> Metrics.Timer {
        Metrics.Timer(label: Self.eventDelayName, dimensions: [("output", output)], factory: describedFactory)
    }

    /// Records the delay of every audit event in an acknowledged batch.
    static func observeDelays(_ batch: Batch, _ timer: Metrics.Timer) {
        StageTimestamp.delays(in: batch.body, now: UTCTime.nowNanoseconds()) { timer.recordNanoseconds($0) }
    }

    /// The exposition text, after copying the current values in.
    func render(lanes: [Lane], state: DaemonState, policyActive: Bool) -> [UInt8] {
        let outputs = lanes.map { lane in
            (name: lane.name, stats: lane.stats, values: Self.currentValues(stats: lane.stats, state: state),
             rows: RegistryRow.rows(lane.document().entries).filter(\.present))
        }
        let policy = state.policy.snapshot()
        return synced.withLock { s in
            for o in outputs {
                syncCounters(o.values, output: o.name, policyActive: policyActive, &s)
                syncGauges(o.stats, output: o.name, &s)
                syncLag(o.rows, output: o.name, &s)
            }
            if let first = outputs.first {
                syncCounters(first.values, output: nil, policyActive: policyActive, &s)
                gauge("pinned_files", nil, &s).set(to: Double(first.stats.pinnedFiles.load(ordering: .relaxed)))
                gauge("pinned_bytes", nil, &s).set(to: Double(first.stats.pinnedBytes.load(ordering: .relaxed)))
                gauge("pins_enabled", nil, &s).set(to: Double(first.stats.pinsEnabled.load(ordering: .relaxed)))
            }
            gauge("registry_last_write", nil, &s).set(to: Double(state.registryLastWrite.load(ordering: .relaxed)) / 1e9)
            syncPolicy(policy, &s)
            for w in webhooks.withLock({ $0 }) { w.sync() }
            return prometheus.emitToBuffer()
        }
    }

    /// Deltas since the last scrape into the counters: one output's (`output` set) or the daemon-wide ones.
    private func syncCounters(_ values: [String: Int], output: String?, policyActive: Bool, _ s: inout Synced) {
        func delta(_ key: String) -> Int {
            let slot = key + "/" + (output ?? "")
            let d = (values[key] ?? 0) - (s.last[slot] ?? 0)
            s.last[slot] = values[key]
            return max(0, d)
        }
        // Every series exists from the first scrape, at 0 until something happens.
        for d in Self.counterDefinitions where d.key != "lines_invalid" && Self.daemonWide.contains(d.key) == (output == nil) {
            let n = delta(d.key), c = counter(d.key, output, &s)
            if n > 0 { c.increment(by: Int64(n)) }
        }
        guard output != nil else { return }
        // A policy reads every line, so while one is on, its count is the one kept.
        let policyInvalid = delta("policy_invalid"), nonObjects = delta("non_objects")
        let invalid = policyInvalid + (policyActive ? 0 : nonObjects), c = counter("lines_invalid", output, &s)
        if invalid > 0 { c.increment(by: Int64(invalid)) }
    }

    private func syncGauges(_ stats: ShipStats, output: String, _ s: inout Synced) {
        gauge("dead_letter_stalled", output, &s).set(to: Double(stats.deadLetterStalled.load(ordering: .relaxed)))
        gauge("open_files", output, &s).set(to: Double(stats.openFiles.load(ordering: .relaxed)))
        gauge("shared_reader", output, &s).set(to: Double(stats.sharedReader.load(ordering: .relaxed)))
        gauge("inflight", output, &s).set(to: Double(stats.inFlightBatches.load(ordering: .relaxed)))
        gauge("backlog", output, &s).set(to: Double(stats.backlogBytes.load(ordering: .relaxed)))
        let oldest = stats.backlogOldestModified.load(ordering: .relaxed)
        gauge("backlog_oldest", output, &s).set(to: oldest > 0 ? max(0, Double(UTCTime.nowNanoseconds()) / 1e9 - Double(oldest)) : 0)
    }

    private func counter(_ key: String, _ output: String?, _ s: inout Synced) -> Prometheus.Counter {
        let slot = key + "/" + (output ?? "")
        if let c = s.counters[slot] { return c }
        let d = Self.counterDefinitions.first { $0.key == key }!
        let help = Self.counterDefinitions.first { $0.name == d.name }!.help
        let c = prometheus.makeCounter(descriptor: Self.describe(d.name, help), labels: d.labels + (output.map { [("output", $0)] } ?? []))
        s.counters[slot] = c
        return c
    }

    private func gauge(_ key: String, _ output: String?, _ s: inout Synced) -> Prometheus.Gauge {
        let slot = key + "/" + (output ?? "")
        if let g = s.gauges[slot] { return g }
        let d = Self.gaugeDefinitions.first { $0.key == key }!
        let g = prometheus.makeGauge(descriptor: Self.describe(d.name, d.help), labels: output.map { [("output", $0)] } ?? [])
        s.gauges[slot] = g
        return g
    }

    private static func currentValues(stats: ShipStats, state: DaemonState) -> [String: Int] {
        [
            "lines_read": stats.linesRead.load(ordering: .relaxed),
            "bytes_read": stats.bytesRead.load(ordering: .relaxed),
            "events_shipped": stats.eventsShipped.load(ordering: .relaxed),
            "batches_ok": stats.batchesAcknowledged.load(ordering: .relaxed),
            "batches_retry": stats.retries.load(ordering: .relaxed),
            "batches_dead_letter": stats.batchesDeadLettered.load(ordering: .relaxed),
            "batch_errors": stats.batchErrors.load(ordering: .relaxed),
            "events_dead_lettered": stats.eventsDeadLettered.load(ordering: .relaxed),
            "lines_oversize": stats.oversizeLines.load(ordering: .relaxed),
            "lines_duplicate": stats.linesDuplicate.load(ordering: .relaxed),
            "policy_invalid": stats.policyInvalid.load(ordering: .relaxed),
            "non_objects": stats.nonObjectLines.load(ordering: .relaxed),
            "dead_letter_write_errors": stats.deadLetterWriteErrors.load(ordering: .relaxed),
            "registry_writes": state.registryWrites.load(ordering: .relaxed),
            "files_lost": stats.filesLost.load(ordering: .relaxed),
            "pin_failures": stats.pinFailures.load(ordering: .relaxed),
            "read_errors": stats.readErrors.load(ordering: .relaxed),
            "registry_write_errors": state.registryWriteErrors.load(ordering: .relaxed),
        ]
    }

    /// Policy outcome counters, one series per (level, action) seen.
    private func syncPolicy(_ policy: [(level: String, action: String, count: Int)], _ s: inout Synced) {
        for p in policy {
            let key = "\(p.level)/\(p.action)"
            let d = p.count - (s.last["policy/" + key] ?? 0)
            s.last["policy/" + key] = p.count
            let counter = s.policy[key] ?? prometheus.makeCounter(
                descriptor: Self.describe("tailship_policy_events_total",
                                          "Audit policy outcomes by decided level (unknown: not an audit event) and action (keep, reduce, drop, invalid)."),
                labels: [("level", p.level), ("action", p.action)])
            s.policy[key] = counter
            if d > 0 { counter.increment(by: Int64(d)) }
        }
    }

    /// One lag series per file present on disk and output; series of files gone are removed.
    private func syncLag(_ rows: [RegistryRow], output: String, _ s: inout Synced) {
        var seen: Set<String> = []
        for row in rows {
            let slot = output + "/" + row.path
            guard seen.insert(slot).inserted else { continue }
            let gauge = s.lag[slot] ?? prometheus.makeGauge(
                descriptor: Self.describe("tailship_file_lag_bytes", "Per file still on disk and output: its size minus the output's committed offset (live file and backups)."),
                labels: [("path", row.path), ("output", output)])
            s.lag[slot] = gauge
            gauge.set(to: Double(row.lag ?? 0))
        }
        for (slot, gauge) in s.lag where slot.hasPrefix(output + "/") && !seen.contains(slot) {
            prometheus.unregisterGauge(gauge)
            s.lag[slot] = nil
        }
    }
}
