/// `output.http.tls`.
public struct TLSSection: Decodable, Sendable {
    public var ca_file: String?
    public var cert_file: String?
    public var key_file: String?
    public var server_name: String?
    public var insecure_skip_verify: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable { case ca_file, cert_file, key_file, server_name, insecure_skip_verify }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ca_file = try c.decodeIfPresent(String.self, forKey: .ca_file)
        cert_file = try c.decodeIfPresent(String.self, forKey: .cert_file)
        key_file = try c.decodeIfPresent(String.self, forKey: .key_file)
        server_name = try c.decodeIfPresent(String.self, forKey: .server_name)
        insecure_skip_verify = try c.decodeIfPresent(Bool.self, forKey: .insecure_skip_verify)
    }
}

/// `output.http.auth`: one of `bearer_token_file` and `basic`.
public struct AuthSection: Decodable, Sendable {
    public struct Basic: Decodable, Sendable {
        public var username: String?
        public var password_file: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case username, password_file }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            username = try c.decodeIfPresent(String.self, forKey: .username)
            password_file = try c.decodeIfPresent(String.self, forKey: .password_file)
        }
    }

    public var bearer_token_file: String?
    public var basic: Basic?

    enum CodingKeys: String, CodingKey, CaseIterable { case bearer_token_file, basic }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bearer_token_file = try c.decodeIfPresent(String.self, forKey: .bearer_token_file)
        basic = try c.decodeIfPresent(Basic.self, forKey: .basic)
    }
}

/// `output.http.elasticsearch`.
public struct ElasticsearchSection: Decodable, Sendable {
    /// Index name; `%Y`, `%m`, `%d`, `%H` from the event's `stageTimestamp` (UTC). Default k8s-audit-%Y.%m.%d.
    public var index: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case index }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        index = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .index)
    }
}

/// `output.http.splunk`.
public struct SplunkSection: Decodable, Sendable {
    /// HEC token, sent as `Authorization: Splunk <token>`; re-read when the file changes. Required.
    public var token_file: String?
    public var index: String?
    /// Default: this machine's host name.
    public var host: String?
    /// Default kube:apiserver:audit.
    public var sourcetype: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case token_file, index, host, sourcetype }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        token_file = try c.decodeIfPresent(String.self, forKey: .token_file)
        index = try c.decodeIfPresent(String.self, forKey: .index)
        host = try c.decodeIfPresent(String.self, forKey: .host)
        sourcetype = try c.decodeIfPresent(String.self, forKey: .sourcetype)
    }
}

/// `output.http.loki`.
public struct LokiSection: Decodable, Sendable {
    /// Stream labels; a value `{verb}` (or level, stage, objectRef.apiGroup/namespace/resource) is read from each event.
    public var labels: [String: String]?

    enum CodingKeys: String, CodingKey, CaseIterable { case labels }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        labels = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([String: String].self, forKey: .labels)
    }
}

/// `output.http.clickhouse`.
public struct ClickHouseSection: Decodable, Sendable {
    /// Default `default`.
    public var database: String?
    /// Default `k8s_audit`; `tailship schema clickhouse` prints its CREATE TABLE.
    public var table: String?
    /// A line that is not an audit event: `store` (a row with empty fields and the line in `event`;
    /// the default), `dead-letter` or `drop`.
    public var on_invalid: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case database, table, on_invalid }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        database = try c.decodeIfPresent(String.self, forKey: .database)
        table = try c.decodeIfPresent(String.self, forKey: .table)
        on_invalid = try c.decodeIfPresent(String.self, forKey: .on_invalid)
    }
}
