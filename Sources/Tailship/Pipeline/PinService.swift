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
    private let stats: ShipStats
    private let logger: Logger
    private let watcher: any ChangeWatcher
    private let stop = StopFlag()

    private let pinning: Bool

    /// With `pins.enabled: false` the rotated files are still watched, so those deleted unread are reported lost.
    init(config: ResolvedConfig, registry: Registry, stats: ShipStats, logger: Logger) {
        let pins = config.pins ?? ResolvedConfig.Pins()
        pinning = config.pins != nil
        keepers = config.inputs.map { input in
            var options = TailOptions(patterns: input.paths)
            options.backups = input.backups
            return PinKeeper(directory: PinDirectory(path: pins.directory(for: input)), options: options,
                             maxBytes: pins.maxBytes, registry: registry, logger: logger, pinning: config.pins != nil)
        }
        self.stats = stats
        self.logger = logger
        let directories = Set(config.inputs.flatMap { PathDiscovery(patterns: $0.paths).watchDirectories })
        watcher = PosixFileSystem().watcher(directories: directories.sorted())
        for keeper in keepers {
            // A pin only exists for a file not yet shipped: never history, even to a registry made after it.
            for pin in pinning ? keeper.pins() : [] where registry.entry(for: pin.identity) == nil {
                registry.backdate(before: pin.modified)
            }
            if let reason = keeper.start() {
                logger.error("pinning is off: rotated files deleted before they are shipped are lost", metadata: [
                    "pin_directory": "\(keeper.directory.path)", "reason": "\(reason)"])
            }
        }
        updateEnabled()
    }

    private func updateEnabled() {
        stats.pinsEnabled.store(pinning && keepers.allSatisfy { $0.disabledReason == nil } ? 1 : 0, ordering: .relaxed)
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
            var backlog = Backlog()
            for keeper in keepers {
                let report = keeper.scan()
                backlog.add(report.backlog)
                bytes += report.pinnedBytes
                files += report.pinnedFiles
                if !report.lost.isEmpty { stats.filesLost.add(report.lost.count, ordering: .relaxed) }
            }
            stats.pinnedBytes.store(Int(bytes), ordering: .relaxed)
            stats.pinnedFiles.store(files, ordering: .relaxed)
            stats.backlogBytes.store(Int(backlog.bytes), ordering: .relaxed)
            stats.backlogOldestModified.store(Int(backlog.oldestModified ?? 0), ordering: .relaxed)
            updateEnabled()
            watcher.wait(timeoutMilliseconds: 1000)
        }
    }
}
