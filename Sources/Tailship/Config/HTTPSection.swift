/// `output.http`: where and how batches are POSTed.
public struct HTTPSection: Decodable, Sendable {
    /// http:// or https:// URL that batches are POSTed to. Required.
    public var url: String?
    /// Longest one request may take. Default 30s.
    public var timeout: DurationValue?
    /// Extra request headers (values are secrets: never printed).
    public var headers: [String: String]?
    public var retry: RetrySection?
    public var tls: TLSSection?
    public var auth: AuthSection?
    /// Requests at once. Default 2.
    public var max_in_flight: Int?
    /// Largest request body before compression; larger batches are split. Default 10MiB.
    public var max_body_bytes: ByteSize?
    /// ndjson, json-array, audit-eventlist, elasticsearch-bulk, splunk-hec, loki or clickhouse. Default ndjson.
    public var format: String?
    /// gzip or none, for this output (overrides output.compression).
    public var compression: String?
    public var elasticsearch: ElasticsearchSection?
    public var splunk: SplunkSection?
    public var loki: LokiSection?
    public var clickhouse: ClickHouseSection?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, timeout, headers, retry, tls, auth, max_in_flight, max_body_bytes, format, compression, elasticsearch, splunk, loki, clickhouse
    }

    public init(url: String) { self.url = url }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        timeout = try c.decodeIfPresent(DurationValue.self, forKey: .timeout)
        headers = try c.decodeIfPresent([String: String].self, forKey: .headers)
        retry = try c.decodeIfPresent(RetrySection.self, forKey: .retry)
        tls = try c.decodeIfPresent(TLSSection.self, forKey: .tls)
        auth = try c.decodeIfPresent(AuthSection.self, forKey: .auth)
        max_in_flight = try c.decodeIfPresent(Int.self, forKey: .max_in_flight)
        max_body_bytes = try c.decodeIfPresent(ByteSize.self, forKey: .max_body_bytes)
        format = try c.decodeIfPresent(String.self, forKey: .format)
        compression = try c.decodeIfPresent(String.self, forKey: .compression)
        elasticsearch = try c.decodeIfPresent(ElasticsearchSection.self, forKey: .elasticsearch)
        splunk = try c.decodeIfPresent(SplunkSection.self, forKey: .splunk)
        loki = try c.decodeIfPresent(LokiSection.self, forKey: .loki)
        clickhouse = try c.decodeIfPresent(ClickHouseSection.self, forKey: .clickhouse)
    }
}

public struct RetrySection: Decodable, Sendable {
    /// First wait after a failed send. Default 500ms.
    public var initial_backoff: DurationValue?
    /// Longest wait between retries, Retry-After included. Default 30s.
    public var max_backoff: DurationValue?
    /// Attempts per request before the batch goes to the dead-letter directory. Default: no limit.
    public var max_attempts: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case initial_backoff, max_backoff, max_attempts }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initial_backoff = try c.decodeIfPresent(DurationValue.self, forKey: .initial_backoff)
        max_backoff = try c.decodeIfPresent(DurationValue.self, forKey: .max_backoff)
        max_attempts = try c.decodeIfPresent(Int.self, forKey: .max_attempts)
    }
}
