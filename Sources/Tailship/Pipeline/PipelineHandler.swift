import Logging
import TailshipJSON
import TailshipPolicy
import TailshipRedact
import TailshipShip
import TailshipTail

/// Turns framed pieces into batch content: lines are added, empty lines are
/// skipped (but committed), oversize lines go whole to the dead-letter directory.
/// Lives on the reader thread.
final class PipelineHandler: TailHandler {
    let batcher: Batcher
    private let deadLetters: DeadLetterWriter
    private let stats: ShipStats
    private let logger: Logger
    private lazy var oversize = OversizeStore(deadLetters: deadLetters, stats: stats, logger: logger,
                                              isStopping: { [unowned self] in isStopping() }, onStall: { [unowned self] in batcher.flush() })
    private var cached: (follower: ObjectIdentifier, epoch: UInt64, fingerprint: UInt64, source: LineSource)?
    /// Backfill's --since/--until, if given.
    private let timeFilter: AuditTimeFilter?
    /// The audit policy, if configured; the processor is this thread's, rebuilt when the policy is reloaded.
    private var policies: PolicyProcessorCache
    private let onInvalid: InvalidLineAction
    /// The output's own policy (outputs[].policy), applied to what the top-level one keeps.
    private var outputPolicies: PolicyProcessorCache
    private var invalidLines: DeadLetterLineFile?
    private let policyCounts: PolicyCounts
    /// `audit_metrics` and `add_fields`/`add_source`, if configured; both need a scan of
    /// each line, which the policy processor already makes when a policy is set.
    private let audit: AuditMetrics?
    private let enricher: Enricher?
    private var members: [JSONMember] = []
    /// `redact` and `pseudonymize`, after every policy and before enrichment.
    private let redactor: EventRedactor?
    /// `audit_metrics.pseudonymized`: the metrics see the pseudonymised event.
    private let metricsPseudonymizer: EventRedactor?
    private var metricsMembers: [JSONMember] = []

    init(batcher: Batcher, deadLetters: DeadLetterWriter, stats: ShipStats, logger: Logger, timeFilter: AuditTimeFilter? = nil,
         policies: PolicyHolder = PolicyHolder(nil), outputPolicy: PolicyHolder = PolicyHolder(nil), onInvalid: InvalidLineAction = .pass,
         policyCounts: PolicyCounts = PolicyCounts(),
         audit: AuditMetrics? = nil, enrichment: Enrichment? = nil, redaction: RedactionRuntime? = nil) {
        redactor = redaction?.redactor()
        metricsPseudonymizer = audit == nil ? nil : redaction?.metricsPseudonymizer()
        self.policyCounts = policyCounts
        self.audit = audit
        enricher = enrichment.map(Enricher.init)
        self.batcher = batcher
        self.timeFilter = timeFilter
        self.policies = PolicyProcessorCache(policies)
        outputPolicies = PolicyProcessorCache(outputPolicy)
        self.onInvalid = onInvalid
        self.deadLetters = deadLetters
        self.stats = stats
        self.logger = logger
    }

    /// Once true (shutdown), nothing more is batched; those lines are read again at the next start.
    var isStopping: @Sendable () -> Bool = { false }

    func handle(_ piece: FramedPiece, from follower: Follower) {
        if isStopping() { return }
        let source = source(of: follower)
        switch piece {
        case .line(let bytes, let end):
            stats.linesRead.add(1, ordering: .relaxed)
            let start = end - UInt64(bytes.count + 1)
            if bytes.isEmpty {
                batcher.skip(from: source, start: start, end: end)
            } else if let timeFilter, !timeFilter.keeps(bytes) {
                stats.linesFiltered.add(1, ordering: .relaxed)
                batcher.skip(from: source, start: start, end: end)
            } else if let processor = policies.current() {
                applyPolicy(processor, bytes, from: source, follower: follower, start: start, end: end)
            } else if audit != nil || enricher != nil || outputPolicies.current() != nil {
                let p = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let fields = EventFields.scan(p, bytes.count, members: &members)
                if let fields { observe(fields, bytes) }
                add(bytes, fields: fields, memberCount: members.count, from: source, follower: follower, start: start, end: end)
            } else {
                // No fields needed: redaction (if on) reads what it needs itself.
                emit(bytes, fields: nil, memberCount: 0, from: source, follower: follower, start: start, end: end)
            }
        case .oversizePart(let bytes, let first):
            if first {
                stats.oversizeLines.add(1, ordering: .relaxed)
                stats.linesRead.add(1, ordering: .relaxed)
                guard oversize.begin(path: follower.path, identity: follower.identity,
                                     sequence: stats.oversizeLines.load(ordering: .relaxed)) else { return }
            }
            _ = oversize.append(bytes, path: follower.path)
        case .oversizeEnd(let end, let length):
            // Not stored (a shutdown while waiting): not committed either; read again at the next start.
            guard let stored = oversize.finish(path: follower.path) else { return }
            logger.warning("line longer than max_line_bytes not shipped; stored in the dead-letter directory", metadata: [
                "file": "\(follower.path)", "bytes": "\(length)", "end_offset": "\(end)", "dead_letter": "\(stored)",
            ])
            batcher.skip(from: source, start: end - UInt64(length + 1), end: end)
        }
    }

    /// A copy of an event already read (`dedupe_with_files`): committed, not shipped.
    func skipCopy(_ piece: FramedPiece, from follower: Follower) {
        guard !isStopping(), case .line(let bytes, let end) = piece else { return }
        stats.linesRead.add(1, ordering: .relaxed)
        stats.linesDuplicate.add(1, ordering: .relaxed)
        batcher.skip(from: source(of: follower), start: end - UInt64(bytes.count + 1), end: end)
    }

    private func applyPolicy(_ processor: PolicyProcessor, _ bytes: UnsafeRawBufferPointer, from source: LineSource, follower: Follower,
                             start: UInt64, end: UInt64) {
        let verdict = processor.process(bytes)
        policyCounts.add(level: verdict.decision?.level, action: verdict.action)
        let fields = processor.lastFields
        if let fields { observe(fields, bytes) }
        let members = processor.lastMemberCount
        switch verdict.action {
        case .keep:
            stats.policyKept.add(1, ordering: .relaxed)
            add(bytes, fields: fields, memberCount: members, from: source, follower: follower, start: start, end: end)
        case .reduce:
            stats.policyReduced.add(1, ordering: .relaxed)
            processor.output.withUnsafeBytes {
                add($0, fields: fields, memberCount: members, from: source, follower: follower, start: start, end: end)
            }
        case .drop:
            stats.policyDropped.add(1, ordering: .relaxed)
            batcher.skip(from: source, start: start, end: end)
        case .invalid:
            stats.policyInvalid.add(1, ordering: .relaxed)
            switch onInvalid {
            case .pass:
                add(bytes, fields: fields, memberCount: members, from: source, follower: follower, start: start, end: end)
            case .drop:
                batcher.skip(from: source, start: start, end: end)
            case .deadLetter:
                if storeInvalid(bytes, path: follower.path, end: end) {
                    batcher.skip(from: source, start: start, end: end)
                } else {
                    // Nothing is lost: a line that cannot be dead-lettered is shipped as it is.
                    batcher.add(line: bytes, from: source, end: end, start: start)
                }
            }
        }
    }

    /// Batches what the top-level policy kept, after the output's own policy: it may keep,
    /// reduce further or drop; a line it cannot read goes on as the top-level step decided.
    private func add(_ bytes: UnsafeRawBufferPointer, fields: EventFields?, memberCount: Int, from source: LineSource, follower: Follower,
                     start: UInt64, end: UInt64) {
        guard let out = outputPolicies.current() else {
            return emit(bytes, fields: fields, memberCount: memberCount, from: source, follower: follower, start: start, end: end)
        }
        let verdict = out.process(bytes)
        switch verdict.action {
        case .keep, .invalid:
            emit(bytes, fields: out.lastFields ?? fields, memberCount: out.lastMemberCount, from: source, follower: follower, start: start, end: end)
        case .reduce:
            out.output.withUnsafeBytes {
                emit($0, fields: out.lastFields, memberCount: out.lastMemberCount, from: source, follower: follower, start: start, end: end)
            }
        case .drop:
            batcher.skip(from: source, start: start, end: end)
        }
    }

    /// The audit metrics see the event as read, or pseudonymised (`audit_metrics.pseudonymized`).
    private func observe(_ fields: EventFields, _ bytes: UnsafeRawBufferPointer) {
        guard let audit else { return }
        if let metricsPseudonymizer, metricsPseudonymizer.process(bytes) {
            metricsPseudonymizer.output.withUnsafeBufferPointer { out in
                if let p = out.baseAddress, let f = EventFields.scan(p, out.count, members: &metricsMembers) { audit.observe(f, p) }
            }
            return
        }
        audit.observe(fields, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    /// Batches a line: secret values redacted and fields pseudonymised, then enriched.
    private func emit(_ bytes: UnsafeRawBufferPointer, fields: EventFields?, memberCount: Int, from source: LineSource, follower: Follower,
                      start: UInt64, end: UInt64) {
        // Edits inside values only: the top-level members (and `fields.tailshipMember`) stay.
        if let redactor, redactor.process(bytes) {
            return redactor.output.withUnsafeBytes {
                enrich($0, fields: fields, memberCount: memberCount, from: source, follower: follower, start: start, end: end)
            }
        }
        enrich(bytes, fields: fields, memberCount: memberCount, from: source, follower: follower, start: start, end: end)
    }

    /// With the `tailship` object added when enrichment is on and the line is a JSON
    /// object without one; any other line goes as it is.
    private func enrich(_ bytes: UnsafeRawBufferPointer, fields: EventFields?, memberCount: Int, from source: LineSource, follower: Follower,
                        start: UInt64, end: UInt64) {
        if let enricher, let fields, fields.tailshipMember == nil,
           enricher.enrich(bytes, memberCount: memberCount, file: follower.path, offset: start) {
            enricher.output.withUnsafeBytes { batcher.add(line: $0, from: source, end: end, start: start) }
        } else {
            batcher.add(line: bytes, from: source, end: end, start: start)
        }
    }

    /// Appends the line to this run's invalid-lines file, durably, before its offset can be committed.
    private func storeInvalid(_ bytes: UnsafeRawBufferPointer, path: String, end: UInt64) -> Bool {
        do {
            if invalidLines == nil {
                invalidLines = try deadLetters.openInvalidLines()
            }
            try invalidLines?.append(bytes)
            try invalidLines?.finish()
            logger.warning("line is not an audit event; stored in the dead-letter directory", metadata: [
                "file": "\(path)", "end_offset": "\(end)", "dead_letter": "\(invalidLines?.path ?? "")",
            ])
            return true
        } catch {
            invalidLines = nil
            logger.error("cannot store a line that is not an audit event in the dead-letter directory; shipping it unchanged",
                         metadata: ["error": "\(error)", "file": "\(path)"])
            return false
        }
    }

    private func source(of follower: Follower) -> LineSource {
        let id = ObjectIdentifier(follower)
        if let c = cached, c.follower == id, c.epoch == follower.epoch, c.fingerprint == follower.fingerprint.hash,
           c.source.path == follower.path {
            return c.source
        }
        // Only a fingerprint past the first event's auditID tells one audit log from another.
        let content = follower.fingerprint.length >= Fingerprint.distinguishingLength ? follower.fingerprint.hash : nil
        let s = LineSource(identity: follower.identity, epoch: follower.epoch, fingerprint: follower.fingerprint.hash, path: follower.path,
                           content: content)
        cached = (id, follower.epoch, follower.fingerprint.hash, s)
        return s
    }
}
