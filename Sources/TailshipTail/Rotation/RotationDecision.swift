import TailshipBasics

/// What the core decides about a file that is not open.
enum OpeningDecision {
    /// Open and read from `offset`.
    case open(at: UInt64, reason: String)
    /// Do not read it (shipped, history, read here already, a twin being read); `remember`:
    /// while it is unchanged, do not look again. `entry`: the registry entry it belongs to.
    case skipAsShipped(reason: String, remember: Bool, entry: FileIdentity?)
    /// A copy of a file shipped to its end: known under this identity from now on.
    case adoptAsShipped(RegistryEntry, reason: String)
    /// The late copy of a truncated file: read it after what was read, acks redirected to it.
    case readTruncatedRestFromCopy(AwaitedCopy)
    /// A .gz still being written: look again once it changed.
    case waitUntilComplete
    /// A short plain backup that may still be being copied: look again once its size held still.
    case waitToSettle
}

/// What the core decides after finding an open file truncated in place.
enum TruncationDecision: Equatable {
    /// The copy holds the unread rest: read it first, acks of the old bytes redirected to it.
    case readRestFromCopy
    /// The copy holds no more than was read: nothing was lost.
    case copyHoldsNothingNew
    /// No copy yet: wait for one (logrotate may still be copying or compressing).
    case waitForCopy
    /// Nothing was read that would identify a copy: nothing to wait for.
    case nothingToWaitFor
}

/// What the core decides about an open file after a pass read it.
enum FinishingDecision: Equatable {
    case keepReading
    /// Backfill: a live file read to its current end.
    case finishAtCurrentEnd
    /// A final file read to its end.
    case finish
    /// A final file read to its end but for a last line without newline, idle long enough: ship it, then finish.
    case shipPartialLineAndFinish
    /// A .gz that is corrupt, or deleted before it was complete: let go without finishing.
    case abandonIncomplete
}

/// What becomes of a registry entry whose file was not found at start-up.
enum MissingEntryDecision: Equatable {
    /// Its content is read under another identity (its .gz, a copy): drop it quietly.
    case readElsewhere
    /// Gone before it was shipped: report lost, with the unshipped bytes if known.
    case reportLost(unshippedBytes: UInt64?)
}

/// How a candidate copy relates to a truncated file.
enum CopyMatch: Equatable {
    case notACopy
    /// A copy shorter than what was read: it holds nothing new.
    case holdsNothingNew
    /// A copy that reaches the read offset: the rest is read from it.
    case holdsTheRest
}
