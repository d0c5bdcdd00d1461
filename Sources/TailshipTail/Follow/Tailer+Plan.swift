import TailshipBasics

/// `backfill --dry-run`: the core's decisions about every file, carried out on nothing.
extension Tailer {
    /// One file as a backfill would read it.
    public struct PlanEntry: Sendable, Equatable {
        public var path: String
        /// Bytes on disk.
        public var size: UInt64
        public var compressed: Bool
        /// Bytes of content (decompressed for .gz, from its gzip trailer).
        public var contentBytes: UInt64
        /// Bytes already delivered per the registry.
        public var delivered: UInt64
        /// Why it is not read, if it is not.
        public var skipReason: String?

        public var toSend: UInt64 { skipReason == nil && contentBytes > delivered ? contentBytes - delivered : 0 }
    }

    /// What a backfill would read, without reading or changing anything: the decisions
    /// are made by a copy of the core and only recorded.
    public func plan() -> [PlanEntry] {
        var planning = core
        let listing = listInput()
        var entries = listing.outOfRange.map { b in
            PlanEntry(path: b.path, size: sizeOnDisk(b.path), compressed: b.compressed, contentBytes: 0, delivered: 0,
                      skipReason: "outside --since/--until by its name")
        }
        for backup in listing.backups {
            if let entry = planEntry(backup.path, backup: backup, core: &planning) { entries.append(entry) }
        }
        for path in listing.live {
            if listing.liveOutOfRange {
                entries.append(PlanEntry(path: path, size: sizeOnDisk(path), compressed: false, contentBytes: 0, delivered: 0,
                                         skipReason: "outside --since/--until (rotated after --until)"))
            } else if let entry = planEntry(path, backup: nil, core: &planning) {
                entries.append(entry)
            }
        }
        return entries
    }

    private func planEntry(_ path: String, backup: Backup?, core planning: inout RotationCore) -> PlanEntry? {
        guard let status = observedStatus(path, backup: backup) else { return nil }
        let observation: FileObservation
        switch look(at: path, state: FileState(status), backup: backup) {
        case .unavailable:
            return nil
        case .seen(_, let observed):
            observation = observed
        }
        let content = observation.contentLength
        var entry = PlanEntry(path: path, size: status.size, compressed: observation.compressed, contentBytes: content, delivered: content)
        switch planning.openingDecision(for: observation, view: self) {
        case .waitUntilComplete:
            return PlanEntry(path: path, size: status.size, compressed: true, contentBytes: 0, delivered: 0, skipReason: "compressed file not complete")
        case .skipAsShipped(let reason, _, _), .adoptAsShipped(_, let reason):
            entry.skipReason = reason
        case .open(let offset, _):
            entry.delivered = min(offset, content)
        case .readTruncatedRestFromCopy(let awaited):
            entry.delivered = min(awaited.offset, content)
        case .waitToSettle:
            entry.skipReason = "not complete yet"
        }
        return entry
    }

    private func sizeOnDisk(_ path: String) -> UInt64 {
        (try? fileSystem.status(path).get())?.size ?? 0
    }
}
