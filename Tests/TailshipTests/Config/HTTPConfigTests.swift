import Testing
import TailshipShip
@testable import Tailship

@Suite struct HTTPConfigTests {
    func http(_ body: String) -> String {
        "inputs:\n  - paths: [/var/log/k8s_audit.log]\noutput:\n  http: {url: \"https://logs.example.com/in\", \(body)}\n"
    }

    func error(_ yaml: String) -> String {
        do {
            _ = try ResolvedConfig.resolve(ResolvedConfig.parse(yaml), overrides: .init())
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func defaults() throws {
        let c = try ResolvedConfig.resolve(ResolvedConfig.parse(http("timeout: 5s")), overrides: .init())
        guard case .http(let o) = c.output else { Issue.record("expected http"); return }
        #expect(o.format == .ndjson && o.maxInFlight == 2 && o.maxBodyBytes == 10 << 20 && o.maxAttempts == nil)
        #expect(o.compressionLevel == 1 && o.auth == .none && o.tls == TLSOptions())
    }

    @Test func headersExpandEnvironmentVariablesAndAnUnsetOneIsAnError() throws {
        #expect(try ResolvedConfig.expand("Bearer ${TOKEN}-x", field: "f", environment: ["TOKEN": "abc"]) == "Bearer abc-x")
        #expect(throws: ConfigError("output.http.headers.X", "environment variable NOPE is not set")) {
            try ResolvedConfig.expand("${NOPE}", field: "output.http.headers.X", environment: [:])
        }
    }

    @Test func problemsNameTheKey() {
        #expect(error(http("format: csv")).hasPrefix("output.http.format: must be ndjson, json-array"))
        #expect(error(http("format: loki, loki: {labels: {user: \"{user.username}\"}}")).hasPrefix("output.http.loki.labels.user: {user.username} is not a field"))
        #expect(error(http("format: splunk-hec")) == "output.http.splunk.token_file: required for format splunk-hec")
        #expect(error(http("tls: {cert_file: /etc/hostname}")) == "output.http.tls: cert_file and key_file go together (mutual TLS needs both)")
        #expect(error(http("tls: {ca_file: /nonexistent/ca.pem}")) == "output.http.tls.ca_file: cannot read /nonexistent/ca.pem")
        #expect(error(http("auth: {bearer_token_file: /etc/hostname, basic: {username: u, password_file: /etc/hostname}}")) ==
                "output.http.auth: give bearer_token_file or basic, not both")
        #expect(error(http("max_in_flight: 0")) == "output.http.max_in_flight: must be from 1 to 64")
        #expect(error(http("retry: {max_attempts: 0}")) == "output.http.retry.max_attempts: must be at least 1")
        #expect(error(http("elasticsearch: {index: x}")) == "output.http.elasticsearch: only used with format elasticsearch-bulk")
        #expect(error(http("tls: {verify: false}")).contains("output.http.tls.verify"))
    }

    @Test func compressionCanBeTurnedOffForTheOutputAlone() throws {
        let c = try ResolvedConfig.resolve(ResolvedConfig.parse(http("format: audit-eventlist, compression: none")), overrides: .init())
        guard case .http(let o) = c.output else { Issue.record("expected http"); return }
        #expect(o.compressionLevel == nil)
        #expect(c.describe().contains("compression: none"))
    }
}
