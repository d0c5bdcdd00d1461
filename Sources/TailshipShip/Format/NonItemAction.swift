/// What a JSON body format does with a line it cannot carry as an item: a line that is not a
/// JSON object in `json-array`, `elasticsearch-bulk` and `splunk-hec`, or not an audit event
/// (an object with a string `auditID`) in `audit-eventlist`. Set by `policy_on_invalid`;
/// without it, `deadLetter`, so one bad line never makes a receiver refuse a whole batch.
public enum NonItemAction: String, Sendable, Equatable {
    /// Sent as a JSON string (`elasticsearch-bulk`: `{"message": …}`), so the body stays valid;
    /// `audit-eventlist` has no such form and dead-letters it.
    case pass
    case deadLetter = "dead-letter"
    case drop
}
