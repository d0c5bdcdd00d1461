import Foundation
import Testing

/// A daemon with a webhook input and one output, an `audit-eventlist` receiver that answers
/// 503 while the `stall` file exists (it does at start; `resume()` removes it).
struct StalledWebhook {
    let f = DaemonFixture()
    let stall: String
    let receiver: PyReceiver
    let port = freePort()
    let daemon: TailshipProcess
    let monitoring: MonitoringClient
    var url: String { "http://127.0.0.1:\(port)/audit" }

    init(spool: String) async throws {
        stall = f.dir.file("stall")
        _ = FileManager.default.createFile(atPath: stall, contents: nil)
        receiver = try PyReceiver(directory: f.dir.path, failWhile: stall)
        let config = f.webhookConfig(port: port, spool: spool,
                                     outputs: "output:\n\(f.httpOutput(receiver.url(), extra: "format: audit-eventlist"))")
        daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        monitoring = try #require(await MonitoringClient.address(of: daemon))
    }

    func resume() throws { try FileManager.default.removeItem(atPath: stall) }
}
