import TailshipJSON

/// Redaction, then pseudonymisation, of one audit event line at a time: each value found is
/// replaced by its token in place, every other byte stays as written. One per reader thread.
public final class EventRedactor {
    public let settings: RedactionSettings
    /// The edited line after `process` returned true.
    public private(set) var output: [UInt8] = []
    /// Values replaced so far.
    public private(set) var redacted = 0
    public private(set) var pseudonymized = 0
    private let tokens: TokenMaker
    private var edits: [ValueEdit] = []

    static let secrets = Array("secrets".utf8)
    static let serviceAccounts = Array("serviceaccounts".utf8)
    static let tokenReviews = Array("tokenreviews".utf8)
    static let token = Array("token".utf8)
    /// The resources whose objects are looked into, as their value is written (closing quote included).
    static let interestingValues = [secrets, serviceAccounts, tokenReviews].map { $0 + [0x22] }

    public init(settings: RedactionSettings, redactionKey: @escaping () -> RedactionKey, pseudonymKey: (() -> RedactionKey)? = nil) {
        self.settings = settings
        tokens = TokenMaker(redactionKey: redactionKey, pseudonymKey: pseudonymKey)
    }

    /// True when something was replaced: `output` holds the line. A line that is not a JSON object is left alone.
    public func process(_ line: UnsafeRawBufferPointer) -> Bool {
        guard settings.isActive, let base = line.baseAddress, !line.isEmpty else { return false }
        let p = base.assumingMemoryBound(to: UInt8.self), n = line.count
        let whole = !settings.paths.isEmpty || !settings.pseudonymize.isEmpty
        // Most events: only the resource is needed, and it says there is nothing to do.
        if !whole && EventShape.isAboutOtherResource(p, n, interesting: Self.interestingValues) { return false }
        let needsMore = { [settings] (shape: EventShape) in settings.secrets && Self.resourceNeedsObjects(shape, p) }
        guard let shape = EventShape.scan(p, n, whole: whole, needsMore: needsMore) else { return false }
        tokens.newEvent()
        edits.removeAll(keepingCapacity: true)
        if settings.secrets { secretEdits(shape, p, tokens) }
        for path in settings.paths {
            PathLocator.locate(p, shape.root.lowerBound, shape.root.upperBound, path.segments[...]) { s, e in
                edits.append(tokens.redaction(p, s, e))
            }
        }
        for path in settings.pseudonymize {
            PathLocator.locate(p, shape.root.lowerBound, shape.root.upperBound, path.segments[...]) { s, e in
                pseudonymEdits(p, s, e, tokens)
            }
        }
        guard !edits.isEmpty else { return false }
        let ordered = ValueEdit.ordered(edits)
        for e in ordered { if e.isRedaction { redacted += 1 } else { pseudonymized += 1 } }
        ValueEdit.apply(ordered, to: p, n, into: &output)
        return true
    }

    /// Secrets, TokenRequests (serviceaccounts/token) and TokenReviews: only their objects are looked into.
    static func resourceNeedsObjects(_ shape: EventShape, _ p: UnsafePointer<UInt8>) -> Bool {
        guard let r = shape.resource else { return false }
        if r.equals(serviceAccounts, in: p) { return shape.subresource?.equals(token, in: p) == true }
        return r.equals(secrets, in: p) || r.equals(tokenReviews, in: p)
    }

    private func secretEdits(_ shape: EventShape, _ p: UnsafePointer<UInt8>, _ tokens: TokenMaker) {
        let resource = shape.resource
        if let resource, resource.equals(Self.secrets, in: p) {
            var walk = SecretWalk(p: p, tokens: tokens)
            for object in shape.objects { walk.value(object.lowerBound, object.upperBound) }
            edits += walk.edits
            return
        }
        if let resource, resource.equals(Self.serviceAccounts, in: p), let sub = shape.subresource, sub.equals(Self.token, in: p),
           let response = shape.responseObject {
            locate(p, response, ["status", "token"]) { edits.append(tokens.redaction(p, $0, $1)) }
        }
        if let resource, resource.equals(Self.tokenReviews, in: p) {
            for object in shape.objects { locate(p, object, ["spec", "token"]) { edits.append(tokens.redaction(p, $0, $1)) } }
        }
    }

    private func locate(_ p: UnsafePointer<UInt8>, _ object: Range<Int>, _ keys: [String], _ body: (Int, Int) -> Void) {
        PathLocator.locate(p, object.lowerBound, object.upperBound, keys.map { .key(Array($0.utf8)) }[...]) { s, e in
            if p[s] == 0x22 { body(s, e) }
        }
    }

    /// An array's items one by one (user.groups, sourceIPs); null stays.
    private func pseudonymEdits(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ tokens: TokenMaker) {
        switch p[s] {
        case 0x5B: _ = JSONScanner.forEachElement(p, s, e) { a, b in if p[a] != 0x6E, let t = tokens.pseudonym(p, a, b) { edits.append(t) } }
        case 0x6E: break
        default: if let t = tokens.pseudonym(p, s, e) { edits.append(t) }
        }
    }

}
