/// `output.http.tls`.
public struct TLSSection: ConfigSection, Sendable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    public var serverName: String?
    public var insecureSkipVerify: Bool?


}

/// `output.http.auth`: one of `bearer_token_file` and `basic`.
public struct AuthSection: ConfigSection, Sendable {
    public struct Basic: ConfigSection, Sendable {
        public var username: String?
        public var passwordFile: String?


    }

    public var bearerTokenFile: String?
    public var basic: Basic?


}

/// `output.http.elasticsearch`.
public struct ElasticsearchSection: ConfigSection, Sendable {
    /// Index name; `%Y`, `%m`, `%d`, `%H` from the event's `stageTimestamp` (UTC). Default k8s-audit-%Y.%m.%d.
    public var index: String?


}

/// `output.http.splunk`.
public struct SplunkSection: ConfigSection, Sendable {
    /// HEC token, sent as `Authorization: Splunk <token>`; re-read when the file changes. Required.
    public var tokenFile: String?
    public var index: String?
    /// Default: this machine's host name.
    public var host: String?
    /// Default kube:apiserver:audit.
    public var sourcetype: String?


}

/// `output.http.loki`.
public struct LokiSection: ConfigSection, Sendable {
    /// Stream labels; a value `{verb}` (or level, stage, objectRef.apiGroup/namespace/resource) is read from each event.
    public var labels: [String: String]?


}

/// `output.http.clickhouse`.
public struct ClickHouseSection: ConfigSection, Sendable {
    /// Default `default`.
    public var database: String?
    /// Default `k8s_audit`; `tailship schema clickhouse` prints its CREATE TABLE.
    public var table: String?
    /// A line that is not an audit event: `store` (a row with empty fields and the line in `event`;
    /// the default), `dead-letter` or `drop`.
    public var onInvalid: String?


}
