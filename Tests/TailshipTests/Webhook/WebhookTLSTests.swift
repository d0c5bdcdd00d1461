import Foundation
import Tailship
import Testing
import TailshipTestSupport

/// With `tls.client_ca_file`, only a client presenting a certificate signed by that CA (the
/// apiserver's kubeconfig `client-certificate`) is answered; others fail the handshake.
@Suite(.serialized) struct WebhookTLSTests {
    @Test func onlyAClientCertificateFromTheClientCAIsAccepted() async throws {
        let f = DaemonFixture()
        let certs = try TestCertificates(in: f.dir.path)
        let port = freePort()
        let tls = "tls: {cert_file: \"\(certs.serverCert)\", key_file: \"\(certs.serverKey)\", client_ca_file: \"\(certs.ca)\"}"
        let config = f.webhookConfig(port: port, webhook: tls, outputs: "output:\n\(f.fileOutput)")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let url = "https://127.0.0.1:\(port)/audit"
        func send(first: Int, cert: String?, key: String?) async throws -> WebhookReplayer.Result? {
            var extra = ["--cafile", certs.ca, "--max-attempts", "1", "--batch", "50"]
            if let cert, let key { extra += ["--cert", cert, "--key", key] }
            return await (try WebhookReplayer(url: url, events: 100, first: first, directory: f.dir.path, extra: extra)).finish(seconds: 60)
        }
        let client = try #require(try await send(first: 0, cert: certs.clientCert, key: certs.clientKey))
        let none = try #require(try await send(first: 1000, cert: nil, key: nil))
        let stranger = try #require(try await send(first: 2000, cert: certs.otherCA, key: "\(f.dir.path)/other-ca.key"))
        print("webhook TLS: client certificate of the CA \(client.statuses), none \(none.statuses), another CA's \(stranger.statuses)")
        #expect(client.acked.count == 100)
        #expect(none.acked.isEmpty && none.statuses["0"] == 2)
        #expect(stranger.acked.isEmpty && stranger.statuses["0"] == 2)
        #expect(await eventually(seconds: 15) { OutputReader.auditIDs(in: (try? OutputReader.contents(of: f.out)) ?? []).count == 100 })
        await daemon.stopCleanly()
    }
}
