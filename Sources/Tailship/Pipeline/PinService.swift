import Foundation
import Logging
import ServiceLifecycle
import TailshipShip
import TailshipTail

/// Keeps the pins of every input on a thread of its own, woken by inotify on
/// the input directories (a rotated file is pinned as soon as it appears) and
/// at least once a second (pins of acknowledged files are released). Apart
/// from the reader, so pins are taken while reading waits on the output.
final class PinService: Service, @unchecked Sendable {
    private let keepers: [PinKeeper]
    private let lanes: LaneTable
    private let logger: Logger
    private let watcher: any ChangeWatcher
    private let stop = StopFlag()

    private let pinning: Bool

    /// With `pins.enabled: false` the rotated files are still watched, so those deleted unread are reported lost.
    init(config: ResolvedConfig, lanes: LaneTable, logger: Logger) {
        let pins = config.pins ?? ResolvedConfig.Pins()
        pinning = config.pins != nil
        keepers = config.inputs.map { input in
            var options = TailOptions(patterns: input.paths)
            options.backups = input.backups
            return PinKeeper(directory: PinDirectory(path: pins.directory(for: input, registryPath: config.registryPath)), options: options,
                             maxBytes: pins.maxBytes,
                             cursors: { lanes.all.map { PinKeeper.Cursor(name: $0.name, registry: $0.ownRegistry(), reading: $0.reading.feedingRegistry) } },
                             logger: logger, pinning: config.pins != nil, legacyDirectory: pins.legacyDirectory(for: input))
        }
        self.lanes = lanes
        self.logger = logger
        let directories = Set(config.inputs.flatMap { PathDiscovery(patterns: $0.paths).watchDirectories })
        watcher = PosixFileSystem().watcher(directories: directories.sorted())
        for keeper in keepers {
            if let reason = keeper.start() {
                logger.error("pinning is off: rotated files deleted before they are shipped are lost", metadata: [
                    "pin_directory": "\(keeper.directory.path)", "reason": "\(reason)"])
            }
            // A pin only exists for a file not yet shipped: never history, even to a registry made after it.
            for pin in pinning ? keeper.pins() : [] {
                for lane in lanes.all where !keeper.knows(pin, in: lane.readingRegistry) { lane.readingRegistry.backdate(before: pin.modified) }
            }
        }
        updateEnabled()
    }

    private func updateEnabled() {
        let enabled = pinning && keepers.allSatisfy { $0.disabledReason == nil } ? 1 : 0
        for lane in lanes.all { lane.stats.pinsEnabled.store(enabled, ordering: .relaxed) }
    }

    func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [self] in
                        loop()
                        done.resume()
                    }
                    thread.name = "tailship-pins"
                    thread.start()
                }
            } onGracefulShutdown: { [self] in
                requestStop()
            }
        } onCancel: { [self] in
            requestStop()
        }
    }

    private func requestStop() {
        stop.set()
        watcher.wake()
    }

    private func loop() {
        while !stop.isSet {
            var bytes: UInt64 = 0, files = 0
            var backlogs: [String: Backlog] = [:]
            var lost: [String: Int] = [:]
            var failures = 0
            for keeper in keepers {
                let report = keeper.scan()
                for (name, b) in report.backlogs { backlogs[name, default: Backlog()].add(b) }
                bytes += report.pinnedBytes
                files += report.pinnedFiles
                for l in report.lost { lost[l.output, default: 0] += 1 }
                failures += report.failures
            }
            // The pins are shared; the backlog and the losses are each output's own.
            for lane in lanes.all {
                let stats = lane.stats, backlog = backlogs[lane.name] ?? Backlog()
                if let n = lost[lane.name] { stats.filesLost.add(n, ordering: .relaxed) }
                stats.pinFailures.add(failures, ordering: .relaxed)
                stats.pinnedBytes.store(Int(bytes), ordering: .relaxed)
                stats.pinnedFiles.store(files, ordering: .relaxed)
                stats.backlogBytes.store(Int(backlog.bytes), ordering: .relaxed)
                stats.backlogOldestModified.store(Int(backlog.oldestModified ?? 0), ordering: .relaxed)
            }
            updateEnabled()
            watcher.wait(timeoutMilliseconds: 1000)
        }
    }
}
