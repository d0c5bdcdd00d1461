import Foundation
import TailshipShip
import TailshipTail
import Testing
import TailshipTestSupport

/// The HTTP output through Debian's real nginx: TLS and mutual TLS terminated by nginx,
/// real 413s from `client_max_body_size`, real 503s from `limit_req`.
@Suite(.serialized) struct NginxTests {
    func start(_ f: DaemonFixture, _ url: String, _ extra: String, batch: String = "{max_events: 100, max_wait: 50ms}") async throws -> TailshipProcess {
        let output = "  http: {url: \"\(url)\", timeout: 5s, retry: {initial_backoff: 20ms, max_backoff: 300ms}\(extra.isEmpty ? "" : ", " + extra)}"
        let daemon = try TailshipProcess(["run", "--config", f.config(output: output, batch: batch)], directory: f.dir.path)
        #expect(await daemon.ready())
        return daemon
    }

    @Test func tlsAndMutualTLSTerminatedByNginx() async throws {
        let f = DaemonFixture()
        let certs = try TestCertificates(in: f.dir.path)
        let receiver = try await TestReceiver()
        let nginx = try NginxProxy(directory: f.dir.file("nginx"), upstreamPort: receiver.port,
                                   options: .init(certificates: certs, requireClientCertificate: true))
        let daemon = try await start(f, nginx.url, "tls: {ca_file: \"\(certs.ca)\", cert_file: \"\(certs.clientCert)\", key_file: \"\(certs.clientKey)\"}")
        let lines = (0..<300).map(numberedLine)
        appendLines(lines, to: f.log)
        #expect(await eventually(seconds: 20) { receiver.acceptedLines.count >= 300 })
        #expect(receiver.acceptedLines.sorted() == lines.sorted())
        await daemon.stopCleanly()
        #expect(!nginx.statuses.isEmpty && nginx.statuses.allSatisfy { $0 == 200 })

        // No client certificate: nginx completes the handshake and answers 400; the receiver
        // behind it gets nothing, and the events are kept as dead letters with nginx's answer.
        let g = DaemonFixture()
        let without = try await start(g, nginx.url, "tls: {ca_file: \"\(certs.ca)\"}")
        let refused = (1000..<1020).map(numberedLine)
        appendLines(refused, to: g.log)
        #expect(await eventually(seconds: 20) { ((try? readDeadLetters(g.deadLetter).lines.count) ?? 0) >= 20 })
        let (stored, meta) = try readDeadLetters(g.deadLetter)
        #expect(stored.sorted() == refused.sorted())
        #expect(meta.contains("No required SSL certificate was sent"), "\(meta.prefix(500))")
        #expect(receiver.acceptedLines.count == 300)
        await without.stopCleanly()

        // A server certificate from another CA: the handshake fails, nothing is dead-lettered, it is retried and logged.
        let h = DaemonFixture()
        let wrong = try await start(h, nginx.url, "tls: {ca_file: \"\(certs.otherCA)\", cert_file: \"\(certs.clientCert)\", key_file: \"\(certs.clientKey)\"}")
        appendLines((2000..<2010).map(numberedLine), to: h.log)
        #expect(await eventually(seconds: 15) { wrong.stderr.contains("TLS handshake with 127.0.0.1 failed") })
        #expect(try readDeadLetters(h.deadLetter).lines.isEmpty)
        #expect(receiver.acceptedLines.count == 300)
        await wrong.stopCleanly()
    }

    @Test func a413SplitsTheBatchInHalvesAndOnlyAnEventTooLargeAloneIsDeadLettered() async throws {
        let f = DaemonFixture()
        let receiver = try await TestReceiver()
        let nginx = try NginxProxy(directory: f.dir.file("nginx"), upstreamPort: receiver.port, options: .init(maxBodySize: "16k"))
        // Uncompressed, so nginx sees the batch's size: 200 events are about 24 KiB.
        let daemon = try await start(f, nginx.url, "compression: none", batch: "{max_events: 200, max_wait: 200ms}")
        var lines = (0..<1000).map(numberedLine)
        let big = "{\"kind\":\"Event\",\"auditID\":\"too-big\",\"pad\":\"\(String(repeating: "b", count: 20_000))\"}"
        lines.insert(big, at: 450)
        appendLines(lines, to: f.log)
        let size = UInt64(lines.reduce(0) { $0 + $1.utf8.count + 1 })
        #expect(await eventually(seconds: 60) { (try? RegistryStore(path: f.registry).load()?.only?.entries.first?.offset) == size })
        let got = receiver.acceptedLines
        let (stored, meta) = try readDeadLetters(f.deadLetter)
        let statuses = nginx.statuses
        print("nginx 413: events \(lines.count), requests \(statuses.count), 413 answers \(statuses.filter { $0 == 413 }.count), received \(got.count), distinct \(Set(got).count), dead-lettered \(stored.count)")
        #expect(got.count == 1000 && Set(got) == Set(lines.filter { $0 != big }))
        #expect(stored == [big])
        #expect(meta.contains("\"status\" : 413"), "\(meta.prefix(500))")
        #expect(statuses.filter { $0 == 413 }.count >= 6, "every 200-event batch is refused once, the big event alone more")
        await daemon.stopCleanly()
    }

    @Test func limitReq503sAreRetriedUntilEverythingArrives() async throws {
        let f = DaemonFixture()
        let receiver = try await TestReceiver()
        let nginx = try NginxProxy(directory: f.dir.file("nginx"), upstreamPort: receiver.port, options: .init(rate: "10r/s"))
        let daemon = try await start(f, nginx.url, "max_in_flight: 4", batch: "{max_events: 20, max_wait: 20ms}")
        let lines = (0..<1000).map(numberedLine)
        appendLines(lines, to: f.log)
        #expect(await eventually(seconds: 60) { receiver.acceptedLines.count >= 1000 })
        let statuses = nginx.statuses
        print("nginx limit_req: events 1000, requests \(statuses.count), 503 answers \(statuses.filter { $0 == 503 }.count), received \(receiver.acceptedLines.count)")
        #expect(statuses.contains(503))
        #expect(receiver.acceptedLines.sorted() == lines.sorted())
        #expect(try readDeadLetters(f.deadLetter).lines.isEmpty)
        await daemon.stopCleanly()
    }
}
