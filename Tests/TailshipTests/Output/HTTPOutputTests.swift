import Foundation
import TailshipShip
import TailshipTail
import Testing
import TailshipTestSupport

/// The HTTP output against real receivers on 127.0.0.1 (Python's http.server and ssl).
@Suite(.serialized) struct HTTPOutputTests {
    func http(_ url: String, _ extra: String) -> String {
        "  http: {url: \"\(url)\", timeout: 2s, retry: {initial_backoff: 50ms, max_backoff: 5s}, \(extra)}"
    }

    func start(_ f: DaemonFixture, output: String, batch: String = "{max_events: 100, max_wait: 100ms}",
               environment: [String: String] = [:]) async throws -> TailshipProcess {
        let config = f.config(output: output, batch: batch)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, environment: environment)
        #expect(await daemon.ready())
        return daemon
    }

    func write(_ range: Range<Int>, _ f: DaemonFixture) -> [String] {
        let lines = range.map(numberedLine)
        appendLines(lines, to: f.log)
        return lines
    }

    @Test func tlsWithATestCAWorksAndAWrongCAIsRefusedWithAClearLogLine() async throws {
        let f = DaemonFixture()
        let certs = try TestCertificates(in: f.dir.path)
        let receiver = try PyReceiver(directory: f.dir.path, cert: certs.serverCert, key: certs.serverKey)
        let daemon = try await start(f, output: http(receiver.url(), "tls: {ca_file: \"\(certs.ca)\"}"))
        let lines = write(0..<300, f)
        #expect(await eventually(seconds: 15) { receiver.acceptedLines.count >= 300 })
        #expect(Set(receiver.acceptedLines) == Set(lines))
        await daemon.stopCleanly()

        // server_name: verified as audit.test (in the certificate) while connecting to 127.0.0.1.
        let g = DaemonFixture()
        let named = try await start(g, output: http(receiver.url(), "tls: {ca_file: \"\(certs.ca)\", server_name: audit.test}"))
        _ = write(1000..<1010, g)
        #expect(await eventually(seconds: 15) { receiver.acceptedLines.count >= 310 })
        await named.stopCleanly()

        let h = DaemonFixture()
        let wrong = try await start(h, output: http(receiver.url(), "tls: {ca_file: \"\(certs.otherCA)\"}"))
        _ = write(2000..<2010, h)
        #expect(await eventually(seconds: 10) { wrong.stderr.contains("TLS handshake with 127.0.0.1 failed") })
        #expect(receiver.acceptedLines.count == 310)
        await wrong.stopCleanly()
        // Nothing was committed for the refused events.
        #expect((try RegistryStore(path: h.registry).load()?.only?.entries.first?.offset ?? 0) == 0)
    }

    @Test func insecureSkipVerifyWorksWithoutTheCAAndWarnsAtStart() async throws {
        let f = DaemonFixture()
        let certs = try TestCertificates(in: f.dir.path)
        let receiver = try PyReceiver(directory: f.dir.path, cert: certs.serverCert, key: certs.serverKey)
        let daemon = try await start(f, output: http(receiver.url(), "tls: {insecure_skip_verify: true}"))
        #expect(daemon.stderr.contains("insecure_skip_verify is true"))
        _ = write(0..<10, f)
        #expect(await eventually(seconds: 10) { receiver.acceptedLines.count >= 10 })
        await daemon.stopCleanly()
    }

    @Test func mutualTLSIsRequiredAndWorks() async throws {
        let f = DaemonFixture()
        let certs = try TestCertificates(in: f.dir.path)
        let receiver = try PyReceiver(directory: f.dir.path, cert: certs.serverCert, key: certs.serverKey, clientCA: certs.ca)
        let without = try await start(f, output: http(receiver.url(), "tls: {ca_file: \"\(certs.ca)\"}"))
        _ = write(0..<50, f)
        #expect(await eventually(seconds: 10) { without.stderr.contains("TLS handshake with 127.0.0.1 failed") })
        #expect(receiver.requests.isEmpty)
        await without.stopCleanly()

        let withCert = try await start(f, output: http(receiver.url(),
            "tls: {ca_file: \"\(certs.ca)\", cert_file: \"\(certs.clientCert)\", key_file: \"\(certs.clientKey)\"}"))
        #expect(await eventually(seconds: 15) { receiver.acceptedLines.count >= 50 })
        #expect(Set(receiver.acceptedLines) == Set((0..<50).map(numberedLine)))
        await withCert.stopCleanly()
    }

    @Test func aRotatedBearerTokenIsUsedWithoutRestartAndNeverLogged() async throws {
        let f = DaemonFixture()
        let token = f.dir.file("token")
        try "first-secret-token\n".write(toFile: token, atomically: true, encoding: .utf8)
        let receiver = try PyReceiver(directory: f.dir.path)
        let daemon = try await start(f, output: http(receiver.url(), "auth: {bearer_token_file: \"\(token)\"}, headers: {X-Tenant: \"${TEST_TENANT}-a\"}"),
                                     environment: ["TEST_TENANT": "blue"])
        _ = write(0..<20, f)
        #expect(await eventually(seconds: 10) { receiver.acceptedLines.count >= 20 })
        // As a projected service-account token is rotated: a new file renamed over the old one.
        try "second-secret-token".write(toFile: token, atomically: true, encoding: .utf8)
        _ = write(20..<40, f)
        #expect(await eventually(seconds: 10) { receiver.acceptedLines.count >= 40 })
        await daemon.stopCleanly()
        let auth = receiver.requests.map { $0.headers["authorization"] ?? "" }
        #expect(auth.first == "Bearer first-secret-token")
        #expect(auth.last == "Bearer second-secret-token")
        #expect(receiver.requests.allSatisfy { $0.headers["x-tenant"] == "blue-a" })
        #expect(!daemon.stderr.contains("secret-token"))
        let (_, checked, _) = try TailshipProcess.run(["check", "--config", f.dir.file("tailship.yaml")], directory: f.dir.path)
        #expect(!checked.contains("secret-token") && !checked.contains("blue"))
    }

    @Test func retryAfterOn429DelaysTheNextAttempt() async throws {
        let f = DaemonFixture()
        let receiver = try PyReceiver(directory: f.dir.path, script: #"[{"status": 429, "headers": {"Retry-After": "2"}}]"#)
        let daemon = try await start(f, output: http(receiver.url(), "max_in_flight: 1"))
        let lines = write(0..<10, f)
        #expect(await eventually(seconds: 15) { receiver.acceptedLines.count >= 10 })
        await daemon.stopCleanly()
        let r = receiver.requests
        try #require(r.count >= 2)
        #expect(r[0].status == 429)
        #expect(r[1].time - r[0].time >= 2.0, "retried after \(r[1].time - r[0].time) s")
        #expect(receiver.acceptedLines == lines)
    }

    @Test func badRequestIsDeadLetteredAndReplayDeliversIt() async throws {
        let f = DaemonFixture()
        let refusing = try PyReceiver(directory: f.dir.path, script: #"[{"status": 400, "body": "{\"error\":\"mapping conflict\"}", "headers": {"X-Request-Id": "r-1"}}]"#)
        let daemon = try await start(f, output: http(refusing.url(), "max_in_flight: 1"))
        let first = write(0..<30, f)
        #expect(await eventually(seconds: 10) { daemon.stderr.contains("events stored in the dead-letter directory") })
        let later = write(30..<40, f)
        #expect(await eventually(seconds: 10) { refusing.acceptedLines == later })
        await daemon.stopCleanly()

        let config = f.dir.file("tailship.yaml")
        let (listed, out, _) = try TailshipProcess.run(["deadletter", "list", "--config", config], directory: f.dir.path)
        #expect(listed == 0)
        #expect(out.contains("30 events  status 400  rejected by the receiver"))
        let meta = try String(contentsOfFile: try #require(try FileManager.default.contentsOfDirectory(atPath: f.deadLetter)
            .first { $0.hasSuffix(".json") }.map { "\(f.deadLetter)/\($0)" }), encoding: .utf8)
        #expect(meta.contains("mapping conflict") && meta.contains("X-Request-Id") && meta.contains(f.log))

        let accepting = try PyReceiver(directory: f.dir.path)
        let (status, replayOut, replayErr) = try TailshipProcess.run(["deadletter", "replay", "--config", config, "--to-url", accepting.url()],
                                                                     directory: f.dir.path)
        #expect(status == 0, "\(replayOut) \(replayErr)")
        #expect(accepting.acceptedLines == first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.deadLetter).isEmpty)
        let (_, empty, _) = try TailshipProcess.run(["deadletter", "list", "--config", config], directory: f.dir.path)
        #expect(empty.contains("no dead letters"))
    }

    @Test func fourInFlightAnsweredOutOfOrderStillCommitInOrder() async throws {
        let f = DaemonFixture()
        // The request carrying the first batch is answered last, after 3 s; the others at once.
        let receiver = try PyReceiver(directory: f.dir.path, script: #"[{"status": 200, "delay": 3, "when": "id-00000000"}]"#)
        let daemon = try await start(f, output: http(receiver.url(), "max_in_flight: 4"), batch: "{max_events: 100, max_wait: 50ms}")
        let lines = write(0..<400, f)
        // The receiver records a request when it answers: three later batches are acknowledged, the first is not.
        #expect(await eventually(seconds: 10) { receiver.requests.count >= 3 })
        // Give the registry (flushed every 100 ms) time to show a wrong commit, well before the 3 s are up.
        try await Task.sleep(for: .milliseconds(500))
        #expect(!receiver.requests.contains { $0.text.contains("id-00000000") })
        #expect((try RegistryStore(path: f.registry).load()?.only?.entries.first?.offset ?? 0) == 0)
        #expect(await eventually(seconds: 10) {
            (try? RegistryStore(path: f.registry).load()?.only?.entries.first?.offset) == UInt64(lines.reduce(0) { $0 + $1.utf8.count + 1 })
        })
        #expect(Set(receiver.acceptedLines) == Set(lines))
        await daemon.stopCleanly()
    }

    @Test func maxBodyBytesSplitsBatchesAndDeadLettersAnEventTooBigAlone() async throws {
        let f = DaemonFixture()
        let receiver = try PyReceiver(directory: f.dir.path)
        let daemon = try await start(f, output: http(receiver.url(), "max_in_flight: 1, max_body_bytes: 2KiB"), batch: "{max_events: 100, max_wait: 200ms}")
        var lines = (0..<60).map(numberedLine)
        let big = #"{"kind":"Event","auditID":"big","pad":""# + String(repeating: "x", count: 3000) + #""}"#
        lines.insert(big, at: 30)
        appendText(lines.map { $0 + "\n" }.joined(), to: f.log)
        #expect(await eventually(seconds: 10) { receiver.acceptedLines.count >= 60 })
        await daemon.stopCleanly()
        #expect(receiver.acceptedLines == lines.filter { $0 != big })
        #expect(receiver.requests.allSatisfy { $0.body.count <= 2048 })
        #expect(receiver.requests.count >= 4)
        let stored = try FileManager.default.contentsOfDirectory(atPath: f.deadLetter).filter { $0.hasSuffix(".ndjson.gz") }
        try #require(stored.count == 1)
        #expect(try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: "\(f.deadLetter)/\(stored[0])")))) == Array((big + "\n").utf8))
    }
}

@Suite(.serialized) struct HTTPOutputRetryTests {
    @Test func maxAttemptsSendsAStillFailingBatchToTheDeadLetterDirectory() async throws {
        let f = DaemonFixture()
        let receiver = try PyReceiver(directory: f.dir.path, defaultAnswer: #"{"status": 503, "body": "{\"error\":\"overloaded\"}"}"#)
        let output = "  http: {url: \"\(receiver.url())\", max_in_flight: 1, retry: {initial_backoff: 50ms, max_backoff: 100ms, max_attempts: 3}}"
        let daemon = try TailshipProcess(["run", "--config", f.config(output: output)], directory: f.dir.path)
        #expect(await daemon.ready())
        appendText((0..<5).map { numberedLine($0) + "\n" }.joined(), to: f.log)
        #expect(await eventually(seconds: 10) { daemon.stderr.contains("events stored in the dead-letter directory") })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)
        #expect(receiver.requests.count == 3)
        let meta = try #require(try FileManager.default.contentsOfDirectory(atPath: f.deadLetter).first { $0.hasSuffix(".json") })
        let text = try String(contentsOfFile: "\(f.deadLetter)/\(meta)", encoding: .utf8)
        #expect(text.contains("no success after 3 attempts") && text.contains("overloaded"))
    }

    @Test func basicAuthSendsTheUserAndThePasswordFromItsFile() async throws {
        let f = DaemonFixture()
        let password = f.dir.file("password")
        try "s3cret-pass\n".write(toFile: password, atomically: true, encoding: .utf8)
        let receiver = try PyReceiver(directory: f.dir.path)
        let output = "  http: {url: \"\(receiver.url())\", auth: {basic: {username: shipper, password_file: \"\(password)\"}}}"
        let daemon = try TailshipProcess(["run", "--config", f.config(output: output)], directory: f.dir.path)
        #expect(await daemon.ready())
        appendText(numberedLine(1) + "\n", to: f.log)
        #expect(await eventually(seconds: 10) { receiver.acceptedLines.count == 1 })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)
        #expect(receiver.requests.first?.headers["authorization"] == "Basic " + Data("shipper:s3cret-pass".utf8).base64EncodedString())
        #expect(!daemon.stderr.contains("s3cret"))
    }
}
