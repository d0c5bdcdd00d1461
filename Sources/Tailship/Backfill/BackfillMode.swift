/// Runs the pipeline over a finite set of files instead of following them.
public struct BackfillMode: Sendable {
    /// Unix seconds; events received before are left out.
    public var since: Double?
    /// Unix seconds; events received after are left out.
    public var until: Double?

    public init(since: Double? = nil, until: Double? = nil) {
        self.since = since
        self.until = until
    }

    var timeFilter: AuditTimeFilter? {
        since == nil && until == nil ? nil : AuditTimeFilter(since: since, until: until)
    }
}
