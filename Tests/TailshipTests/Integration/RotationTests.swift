import Foundation
import Tailship
import Testing
import TailshipTestSupport

@Suite(.serialized) struct RotationTests {
    /// kube-apiserver-style rename rotation while writing as fast as possible.
    @Test func renameRotationAtFullSpeedDeliversEveryLineOnceInOrder() async throws {
        let f = DaemonFixture()
        _ = FileManager.default.createFile(atPath: f.log, contents: nil, attributes: [.posixPermissions: 0o600])
        let config = f.config(output: f.fileOutput, batch: "{max_events: 1000, max_wait: 100ms}")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let total = 100_000
        let writer = try RotatingWriter(path: f.log, maxBytes: 512 << 10)
        for i in 0..<total {
            try writer.write(line: numberedLine(i))
        }
        #expect(writer.rotations >= 15)
        let expected = (0..<total).map(numberedLine)
        let done = await eventually(seconds: 60) { f.delivered().count >= total }
        #expect(done, "delivered \(f.delivered().count) of \(total)")
        let delivered = f.delivered()
        #expect(delivered.count == total)
        #expect(delivered == expected)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
    }
}
