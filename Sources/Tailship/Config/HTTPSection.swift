/// `output.http`: where and how batches are POSTed.
public struct HTTPSection: ConfigSection, Sendable {
    /// http:// or https:// URL that batches are POSTed to. Required.
    public var url: String?
    /// Longest one request may take. Default 30s.
    public var timeout: Duration?
    /// Extra request headers (values are secrets: never printed).
    public var headers: [String: String]?
    public var retry: RetrySection?
    public var tls: TLSSection?
    public var auth: AuthSection?
    /// Requests at once. Default 2.
    public var maxInFlight: Int?
    /// Largest request body before compression; larger batches are split. Default 10MiB.
    public var maxBodyBytes: ByteSize?
    /// ndjson, json-array, audit-eventlist, elasticsearch-bulk, splunk-hec, loki or clickhouse. Default ndjson.
    public var format: String?
    /// gzip or none, for this output (overrides output.compression).
    public var compression: String?
    public var elasticsearch: ElasticsearchSection?
    public var splunk: SplunkSection?
    public var loki: LokiSection?
    public var clickhouse: ClickHouseSection?


    public init(url: String) { self.url = url }

}

public struct RetrySection: ConfigSection, Sendable {
    /// First wait after a failed send. Default 500ms.
    public var initialBackoff: Duration?
    /// Longest wait between retries, Retry-After included. Default 30s.
    public var maxBackoff: Duration?
    /// Attempts per request before the batch goes to the dead-letter directory. Default: no limit.
    public var maxAttempts: Int?


}
