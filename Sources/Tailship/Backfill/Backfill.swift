import TailshipBasics
import Foundation
import Logging
import TailshipShip
import TailshipTail

/// `tailship backfill`: ships every rotated backup and the live file up to its
/// current end, oldest first, through the daemon's pipeline and registry, then exits.
public struct Backfill: Sendable {
    public let config: ResolvedConfig
    public let mode: BackfillMode
    /// `--output NAME`: ship to this output alone; nil: to every output, waiting for all of them.
    public let only: String?

    public init(config: ResolvedConfig, mode: BackfillMode, only: String? = nil) throws {
        if let only, config.output(named: only) == nil {
            throw ConfigError("", "--output \(only): no such output (configured: \(config.outputs.map(\.name).joined(separator: ", ")))")
        }
        self.config = config
        self.mode = mode
        self.only = only
    }

    /// Input of a backfill of exactly these files (globs allowed), without their backups.
    public static func restrict(_ config: ResolvedConfig, to paths: [String]) -> ResolvedConfig {
        guard !paths.isEmpty else { return config }
        var c = config
        let template = config.inputs.first
        c.inputs = [ResolvedConfig.Input(paths: paths, startAtEnd: false, maxLineBytes: template?.maxLineBytes ?? ConfigDefaults.maxLineBytes,
                                         backups: .none, maxOpenFiles: template?.maxOpenFiles ?? ConfigDefaults.maxOpenFiles)]
        return c
    }

    /// What would be read, from the registry as it is (the `--output`'s offsets, else the first output's); changes nothing.
    public func plan(logger: Logger) throws -> [Tailer.PlanEntry] {
        let registry = Registry(try RegistryStore(path: config.registryPath).load()?.document(for: only ?? config.outputs[0].name))
        return config.inputs.flatMap { input in
            Tailer(options: ReaderLoop.tailOptions(input, config: config, backfill: mode), registry: registry, logger: logger).plan()
        }
    }

    public static func describe(_ plan: [Tailer.PlanEntry]) -> String {
        var out = ""
        for e in plan {
            let kind = e.compressed ? "gzip" : "plain"
            if let reason = e.skipReason {
                out += "\(e.path)  size=\(e.size) \(kind) delivered=\(e.delivered) send=0  (skip: \(reason))\n"
            } else {
                out += "\(e.path)  size=\(e.size) \(kind) delivered=\(e.delivered) send=\(e.toSend)\n"
            }
        }
        let files = plan.filter { $0.skipReason == nil && $0.toSend > 0 }.count
        out += "total: \(files) files to read, \(plan.reduce(0) { $0 + $1.toSend }) bytes to send\n"
        return out
    }

    public struct Progress: Sendable {
        public var bytesDone: Int
        public var bytesTotal: UInt64
        public var events: Int
        public var seconds: Double
    }

    public struct Summary: Sendable {
        public var files: Int
        public var events: Int
        public var bytesRead: Int
        public var bytesSent: Int
        public var seconds: Double
        public var deadLettered: Int
        public var filtered: Int
        public var outcome: BackfillOutcome
        /// Input that could not be read whole: corrupt or incomplete `.gz`, files lost, read errors.
        public var unreadable: [String]
        public var filesLost: Int
        public var readErrors: Int
        /// Incomplete `.gz` copies not read, with why: their content came from the plain original.
        public var skippedCopies: [(path: String, reason: String)] = []
        /// Events each output acknowledged, with several outputs.
        public var eventsByOutput: [(name: String, events: Int)] = []

        public var completed: Bool { outcome == .complete }

        /// 130 interrupted, 124 `--timeout` reached, 3 input could not be read,
        /// 2 something was dead-lettered, 0 everything acknowledged.
        public var exitCode: Int32 {
            switch outcome {
            case .interrupted: return 130
            case .timedOut: return 124
            case .complete:
                if !unreadable.isEmpty || filesLost > 0 || readErrors > 0 { return 3 }
                return deadLettered > 0 ? 2 : 0
            }
        }

        public var description: String {
            let mib = Double(bytesRead) / 1_048_576
            var text = String(format: "backfill %@: %d files, %d events, %.1f MiB read, %.1f MiB sent, %.1f s, %.1f MiB/s, %d events dead-lettered, %d left out by --since/--until",
                              outcome.rawValue, files, events, mib, Double(bytesSent) / 1_048_576, seconds,
                              seconds > 0 ? mib / seconds : 0, deadLettered, filtered)
            if !unreadable.isEmpty { text += "; not readable: " + unreadable.joined(separator: ", ") }
            if !skippedCopies.isEmpty {
                text += "; skipped: " + skippedCopies.map { "\($0.path) (\($0.reason))" }.joined(separator: ", ")
            }
            if filesLost > 0 { text += "; \(filesLost) files lost before they were read" }
            if readErrors > 0 { text += "; \(readErrors) read errors" }
            if eventsByOutput.count > 1 { text += "; events by output: " + eventsByOutput.map { "\($0.name)=\($0.events)" }.joined(separator: ", ") }
            switch outcome {
            case .interrupted: text += "; rerun to resume"
            case .timedOut: text += "; --timeout reached, rerun to resume"
            case .complete: break
            }
            return text
        }
    }

    /// Runs to the end, to SIGINT/SIGTERM (draining for at most `shutdown_timeout`; a
    /// second signal stops at once) or to `timeout`; `progress` is called about once a second.
    public func run(logger: Logger, timeout: Duration? = nil, progress: @escaping @Sendable (Progress) -> Void) async throws -> Summary {
        let plan = try self.plan(logger: logger)
        let total = plan.reduce(0) { $0 + $1.toSend }
        let daemon = try Daemon(config: config, logger: logger, handleSignals: true, shutdownSignals: false, backfill: mode, only: only)
        let started = monotonicSeconds()
        let stats = daemon.stats
        let reporter = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                progress(Progress(bytesDone: stats.bytesRead.load(ordering: .relaxed), bytesTotal: total,
                                  events: stats.eventsShipped.load(ordering: .relaxed), seconds: monotonicSeconds() - started))
            }
        }
        let stops = BackfillStops(daemon: daemon, timeout: timeout, logger: logger)
        defer {
            reporter.cancel()
            stops.cancel()
        }
        try await daemon.run()
        // The first output's reading and shipping; dead letters and losses of any output count.
        let all = daemon.statsByOutput
        var summary = Summary(files: plan.filter { $0.skipReason == nil && $0.toSend > 0 }.count,
                              events: stats.eventsShipped.load(ordering: .relaxed),
                              bytesRead: stats.bytesRead.load(ordering: .relaxed),
                              bytesSent: stats.bytesShipped.load(ordering: .relaxed),
                              seconds: monotonicSeconds() - started,
                              deadLettered: all.reduce(0) { $0 + $1.stats.eventsDeadLettered.load(ordering: .relaxed) },
                              filtered: stats.linesFiltered.load(ordering: .relaxed),
                              outcome: stops.outcome ?? (daemon.completed ? .complete : .interrupted),
                              unreadable: daemon.trouble.unreadable,
                              filesLost: all.reduce(0) { $0 + $1.stats.filesLost.load(ordering: .relaxed) },
                              readErrors: stats.readErrors.load(ordering: .relaxed))
        summary.skippedCopies = daemon.trouble.skippedCopies
        summary.eventsByOutput = all.map { ($0.name, $0.stats.eventsShipped.load(ordering: .relaxed)) }
        return summary
    }
}
