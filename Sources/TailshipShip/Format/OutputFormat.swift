/// The body layouts the HTTP output can send (`output.http.format`).
public enum OutputFormat: Sendable, Equatable {
    /// One event per line, as read (the default).
    case ndjson
    /// `[event,event,...]`.
    case jsonArray
    /// kube-apiserver's audit webhook body: an `audit.k8s.io/v1` `EventList`.
    case auditEventList
    /// Elasticsearch `_bulk` with `create` actions; `index` may hold `%Y`, `%m`, `%d`, `%H` (from `stageTimestamp`, UTC).
    case elasticsearchBulk(index: String)
    /// Splunk HTTP Event Collector envelopes, one per line.
    case splunkHEC(SplunkOptions)
    /// Loki push API: one stream per label set; values `{field}` are read from each event.
    case loki(labels: [LokiLabel])
    /// ClickHouse's HTTP interface: `INSERT INTO db.table FORMAT JSONEachRow`, one row per event.
    case clickhouse(ClickHouseOptions)

    public var name: String {
        switch self {
        case .ndjson: "ndjson"
        case .jsonArray: "json-array"
        case .auditEventList: "audit-eventlist"
        case .elasticsearchBulk: "elasticsearch-bulk"
        case .splunkHEC: "splunk-hec"
        case .loki: "loki"
        case .clickhouse: "clickhouse"
        }
    }

    /// The key of the format's own settings under `output.http` (`elasticsearch`), or its name.
    public var sectionName: String {
        switch self {
        case .elasticsearchBulk: "elasticsearch"
        case .splunkHEC: "splunk"
        default: name
        }
    }

    public var contentType: String {
        switch self {
        case .ndjson, .elasticsearchBulk, .clickhouse: "application/x-ndjson"
        case .jsonArray, .auditEventList, .splunkHEC, .loki: "application/json"
        }
    }
}

public struct SplunkOptions: Sendable, Equatable {
    public var host: String
    public var index: String?
    public var sourcetype: String

    public init(host: String, index: String?, sourcetype: String = "kube:apiserver:audit") {
        self.host = host
        self.index = index
        self.sourcetype = sourcetype
    }
}

/// A Loki stream label: a fixed value, or `{field}` read from the event.
public struct LokiLabel: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Event fields a label may take its value from (bounded sets only: no users, names or IPs).
    public static let fields = ["level", "stage", "verb", "objectRef.apiGroup", "objectRef.namespace", "objectRef.resource"]

    /// The field named by a `{field}` value, if it is one.
    public var field: String? {
        guard value.hasPrefix("{"), value.hasSuffix("}"), value.count > 2 else { return nil }
        return String(value.dropFirst().dropLast())
    }
}
