import CoreMetrics
import Prometheus

/// swift-prometheus's factory gives the histograms behind swift-metrics `Timer`s no `# HELP`
/// line (promtool check metrics flags each), and its registry refuses the same name with
/// other help. This factory makes the timers it knows with their help and buckets, and
/// passes everything else to swift-prometheus's own.
struct DescribedTimerFactory: MetricsFactory {
    struct Description {
        var help: String
        var buckets: [Duration]
    }

    let base: PrometheusMetricsFactory
    let registry: PrometheusCollectorRegistry
    let timers: [String: Description]

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard let d = timers[label] else { return base.makeTimer(label: label, dimensions: dimensions) }
        return registry.makeDurationHistogram(descriptor: DaemonMetrics.describe(label, d.help), labels: dimensions, buckets: d.buckets)
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        base.makeCounter(label: label, dimensions: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        base.makeFloatingPointCounter(label: label, dimensions: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        base.makeMeter(label: label, dimensions: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        base.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }

    func destroyCounter(_ handler: any CounterHandler) { base.destroyCounter(handler) }
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { base.destroyFloatingPointCounter(handler) }
    func destroyMeter(_ handler: any MeterHandler) { base.destroyMeter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { base.destroyRecorder(handler) }
    func destroyTimer(_ handler: any TimerHandler) { base.destroyTimer(handler) }
}
