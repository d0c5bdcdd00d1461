import TailshipBasics

/// What an open file looked like after a pass read it.
struct ReadProgress: Sendable {
    var phase: FilePhase
    var compressed: Bool
    /// Everything there is was read (for a .gz: its last trailer checked out).
    var atEnd: Bool
    /// For a .gz: the data is not valid gzip.
    var gzipFailed: Bool
    /// The file has no name left.
    var deleted: Bool
    /// Bytes of a last line without newline held by the framer.
    var carriedBytes: Int
    /// Monotonic seconds since reading last found new bytes.
    var idleSeconds: Double
}

/// Finishing files, and registry entries whose file is gone.
extension RotationCore {
    func finishingDecision(_ file: ReadProgress) -> FinishingDecision {
        if options.stopAtEnd && file.phase == .live {
            // Backfill of a live file: up to its last complete line; the rest is the daemon's.
            return file.atEnd ? .finishAtCurrentEnd : .keepReading
        }
        guard file.phase.isFinal else { return .keepReading }
        if file.compressed && !file.atEnd {
            return file.gzipFailed || file.deleted ? .abandonIncomplete : .keepReading
        }
        guard file.atEnd else { return .keepReading }
        if file.carriedBytes > 0 {
            return file.idleSeconds >= options.rotatedIdleSeconds ? .shipPartialLineAndFinish : .keepReading
        }
        return .finish
    }

    /// Registry entries whose file was not found, open or seen: an entry whose content
    /// lives on under another identity that is being read or was seen (its .gz, resumed in
    /// an earlier run) is not lost.
    func missingEntries(_ entries: [RegistryEntry], open: Set<FileIdentity>) -> [(entry: RegistryEntry, decision: MissingEntryDecision)] {
        let present = { (e: RegistryEntry) in seen.contains(e.identity) || open.contains(e.identity) }
        let live = Set(entries.filter(present).compactMap { e in e.fingerprintLength > 0 ? "\(e.fingerprintLength):\(e.fingerprint)" : nil })
        var result: [(RegistryEntry, MissingEntryDecision)] = []
        for entry in entries where !present(entry) && !entry.isFullyShipped {
            if entry.fingerprintLength > 0, live.contains("\(entry.fingerprintLength):\(entry.fingerprint)") {
                result.append((entry, .readElsewhere))
                continue
            }
            let known = entry.finalSize ?? entry.size
            result.append((entry, .reportLost(unshippedBytes: known.map { $0 > entry.offset ? $0 - entry.offset : 0 })))
        }
        return result
    }
}
