import Foundation
import Tailship
import TailshipShip
import Testing
import TailshipTestSupport

/// logrotate's copytruncate (with compress and delaycompress), run for real
/// while lines are being written and Tailship ships them.
@Suite(.serialized) struct LogrotateCopytruncateTests {
    @Test func copytruncateLosesOnlyWhatLogrotateItselfDrops() async throws {
        let f = DaemonFixture()
        let conf = f.dir.file("logrotate.conf")
        try """
        \(f.log) {
            copytruncate
            compress
            delaycompress
            rotate 30
            missingok
            nocreate
        }
        """.write(toFile: conf, atomically: true, encoding: .utf8)
        let config = f.config(output: f.fileOutput, batch: "{max_events: 500, max_wait: 50ms}")
        _ = FileManager.default.createFile(atPath: f.log, contents: nil, attributes: [.posixPermissions: 0o600])
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())

        // A writer appending with O_APPEND, as a logging process does.
        let total = 30_000
        let writer = Task.detached {
            let fd = open(f.log, O_WRONLY | O_APPEND)
            defer { close(fd) }
            for i in 0..<total {
                let line = Array((numberedLine(i) + "\n").utf8)
                _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if i % 200 == 199 { usleep(5_000) }
            }
        }
        for _ in 0..<6 {
            try await Task.sleep(for: .milliseconds(150))
            let rotate = Process()
            rotate.executableURL = URL(fileURLWithPath: "/usr/sbin/logrotate")
            rotate.arguments = ["-f", "-s", f.dir.file("logrotate.state"), conf]
            try rotate.run()
            rotate.waitUntilExit()
            #expect(rotate.terminationStatus == 0)
        }
        await writer.value

        // What is on disk (live file and every backup) is what logrotate kept.
        var onDisk: [UInt8] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: f.dir.path) where name.hasPrefix("k8s_audit.log") {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: f.dir.file(name))))
            onDisk += name.hasSuffix(".gz") ? try Gzip.decompress(bytes) : bytes
        }
        let kept = Set(OutputReader.auditIDs(in: onDisk))
        let written = (0..<total).map { String(format: "id-%08d", $0) }
        _ = await eventually(seconds: 30) { Set(OutputReader.auditIDs(in: (try? OutputReader.contents(of: f.out)) ?? [])).isSuperset(of: kept) }
        let delivered = OutputReader.auditIDs(in: try OutputReader.contents(of: f.out))
        let deliveredSet = Set(delivered)
        let droppedByLogrotate = written.filter { !kept.contains($0) }.count
        let missing = kept.subtracting(deliveredSet)
        print("logrotate copytruncate: written \(total), kept by logrotate \(kept.count) (dropped by logrotate \(droppedByLogrotate)), delivered \(deliveredSet.count), missing \(missing.count), duplicated \(delivered.count - deliveredSet.count)")
        #expect(missing.isEmpty, "lines on disk but never shipped: \(missing.sorted().prefix(3))")
        #expect(daemon.stderr.contains("file truncated"))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
    }
}


