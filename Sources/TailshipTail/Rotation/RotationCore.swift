import TailshipBasics

/// The decisions about rotation, copytruncate, .gz resumption and registry
/// retirement, apart from the system calls: given what the driver observed and
/// the registry's view, it says what to do. Makes no system call and reads no
/// clock: time comes in as arguments. One per input; confined to the reader thread.
struct RotationCore: Sendable {
    struct Options: Sendable {
        var startAtEnd = false
        var shipHistory = false
        var stopAtEnd = false
        var rotatedIdleSeconds = 2.0
    }

    /// A short plain backup is decided on once its size held still this long.
    static let backupSettleSeconds = 0.1
    /// How long a truncated file's copy is waited for before its unread tail is reported lost.
    static let copyWaitSeconds = 60.0

    let options: Options
    /// Whether the registry knew files of this input at start-up; if not, `start_at` decides.
    let inputHasHistory: Bool
    /// Files this process read to their end: their twins (a .gz, a copy) are not read again.
    var finished: [FileIdentity: Fingerprint] = [:]
    /// The same, by content: survives the inode being reused by another file.
    var finishedContent = Set<Fingerprint>()
    /// Files not read now, while unchanged (see `SetAsideFile`).
    var setAside: [FileIdentity: SetAsideFile] = [:]
    /// Truncated files whose copy was not among the backups yet: a copy that
    /// appears later (logrotate still copying or compressing) resumes after what was read.
    var awaitingCopy: [AwaitedCopy] = []
    /// Registry entries matched since the registry was last touched.
    var seen = Set<FileIdentity>()
    /// Set after the first pass: what was there at start-up is decided by the first-start rules.
    var initialScanDone = false
    /// Files found in the first pass but left for later (`max_open_files`): still decided
    /// by the first-start rules when their turn comes, as what was there at start-up.
    var waitingSinceFirstPass = Set<FileIdentity>()

    init(options: Options, inputHasHistory: Bool) {
        self.options = options
        self.inputHasHistory = inputHasHistory
    }

    /// Whether a file that is not open needs a look: false while it is unchanged since it was set aside.
    mutating func needsLook(_ state: FileState) -> Bool {
        switch setAside[state.identity] {
        case .decided(let s, let entry) where s == state:
            if let entry { seen.insert(entry) }
            return false
        case .incomplete(let s) where s == state:
            return false
        default:
            return true
        }
    }

    /// A plain backup too short to be identified may be a copy still being written
    /// (copytruncate): decided on once its size has held still for a moment. Not at
    /// start-up: what is there then (also what waits for a slot since) is decided by the first-start rules.
    mutating func mustSettle(_ observation: FileObservation, now: Double) -> Bool {
        let identity = observation.identity
        guard initialScanDone, !waitingSinceFirstPass.contains(identity), observation.foundAsBackup, !observation.compressed,
              observation.head.count < Fingerprint.maxLength else {
            if case .settling = setAside[identity] { setAside[identity] = nil }
            return false
        }
        guard case .settling(let size, let since) = setAside[identity], size == observation.state.size else {
            setAside[identity] = .settling(size: observation.state.size, since: now)
            return true
        }
        guard now - since >= Self.backupSettleSeconds else { return true }
        setAside[identity] = nil
        return false
    }

    /// Forgets settling backups that went away.
    /// Runs every pass: removes in place, without rebuilding the whole map.
    mutating func forgetStaleSettling(now: Double) {
        for (identity, file) in setAside {
            if case .settling(_, let since) = file, now - since >= Self.copyWaitSeconds { setAside[identity] = nil }
        }
    }

    /// A file left for later because `max_open_files` were open. Returns whether the registry's
    /// history line must move before it: found at a first start that ships what is there, it
    /// must still be shipped if the process stops before its turn.
    mutating func deferred(_ state: FileState, registryCreatedAt: Double) -> Bool {
        guard !initialScanDone else { return false }
        waitingSinceFirstPass.insert(state.identity)
        return !inputHasHistory && !options.startAtEnd && state.modifiedSeconds <= registryCreatedAt
    }

    /// Records what was decided against, so it is not looked into again while unchanged.
    mutating func setAside(_ state: FileState, entry: FileIdentity?) {
        setAside[state.identity] = .decided(state, entry: entry)
    }

    mutating func markIncomplete(_ state: FileState) {
        setAside[state.identity] = .incomplete(state)
    }

    /// A file this process read to its end: neither it nor a twin of it is read again.
    mutating func markFinished(_ identity: FileIdentity, fingerprint: Fingerprint) {
        finished[identity] = fingerprint
        finishedContent.insert(fingerprint)
    }
}
