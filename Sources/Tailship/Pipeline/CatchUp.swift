/// When a catch-up ends. `run` reading a backlog (history at start, or after an outage)
/// reaches the end of every file with a partial batch; a daemon normally lets a batch wait
/// `batch.max_wait` for more lines, but after a backlog nothing is coming sooner than from
/// a writer that was outpaced: waiting would only delay the last events (a second, by
/// default). So a pass that finds nothing new, after passes that read at least one full
/// batch's bytes since the last idle pass, sends the partial batch at once.
struct CatchUp {
    /// Bytes read by the passes since the last one that found nothing.
    private(set) var streak = 0
    let batchBytes: Int

    init(batchBytes: Int) { self.batchBytes = max(1, batchBytes) }

    /// Called after every pass; true when the partial batch should go now.
    mutating func pass(read: Int) -> Bool {
        guard read == 0 else {
            streak += read
            return false
        }
        defer { streak = 0 }
        return streak >= batchBytes
    }
}
