import Foundation
import Testing
import TailshipTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP re-reads the configuration; NOTIFY_SOCKET gets READY, WATCHDOG and STOPPING.
@Suite(.serialized) struct ReloadAndSystemdTests {
    @Test func sighupAppliesHeadersPolicyAndLogLevelReportsRestartKeysAndRefusesABadFile() async throws {
        let f = DaemonFixture()
        let receiver = try PyReceiver(directory: f.dir.path)
        let policyPath = f.dir.file("policy.yaml")
        try "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- {level: None, verbs: [get]}\n- level: RequestResponse\n"
            .write(toFile: policyPath, atomically: true, encoding: .utf8)
        func write(team: String, policy: Bool, level: String, maxEvents: Int) {
            let text = f.config(output: f.httpOutput(receiver.url(), extra: "headers: {X-Team: \"\(team)\"}"),
                                batch: "{max_events: \(maxEvents), max_wait: 50ms}",
                                extra: (policy ? "policy: \"\(policyPath)\"\n" : ""))
            // f.config always logs at debug; set the level asked for.
            let body = try! String(contentsOfFile: text, encoding: .utf8).replacingOccurrences(of: "log: {level: debug}", with: "log: {level: \(level)}")
            try! body.write(toFile: text, atomically: true, encoding: .utf8)
        }
        write(team: "blue", policy: false, level: "info", maxEvents: 100)
        let config = f.dir.file("tailship.yaml")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        // A line that is not JSON makes the HTTP output log at debug level.
        let first = (0..<10).map { PolicyDaemonTests.event($0).line } + ["plain text one"]
        appendText(first.map { $0 + "\n" }.joined(), to: f.log)
        #expect(await eventually(seconds: 10) { receiver.acceptedLines.count >= 11 })
        #expect(receiver.requests.allSatisfy { $0.headers["x-team"] == "blue" })
        #expect(!daemon.stderr.contains("lines that are not JSON objects"))

        write(team: "green", policy: true, level: "debug", maxEvents: 7)
        daemon.signal(SIGHUP)
        #expect(await eventually(seconds: 10) { daemon.stderr.contains("SIGHUP: configuration reloaded") })
        #expect(daemon.stderr.contains("need a restart"))
        #expect(daemon.stderr.contains("keys=batch.max_events"))
        let before = receiver.requests.count
        let second = (10..<40).map { PolicyDaemonTests.event($0).line } + ["plain text two"]
        appendText(second.map { $0 + "\n" }.joined(), to: f.log)
        let notGets = second.filter { !$0.contains(#""verb":"get""#) }
        #expect(await eventually(seconds: 10) { receiver.acceptedLines.count >= 11 + notGets.count })
        #expect(receiver.requests.dropFirst(before).allSatisfy { $0.headers["x-team"] == "green" })
        #expect(Array(receiver.acceptedLines.dropFirst(11)) == notGets)
        #expect(daemon.stderr.contains("level=debug msg=\"lines that are not JSON objects"))

        try "inputs: [".write(toFile: config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(await eventually(seconds: 10) { daemon.stderr.contains("SIGHUP: new configuration refused") })
        let third = (40..<60).map { PolicyDaemonTests.event($0).line }
        appendText(third.map { $0 + "\n" }.joined(), to: f.log)
        let notGets3 = third.filter { !$0.contains(#""verb":"get""#) }
        #expect(await eventually(seconds: 10) { receiver.acceptedLines.count >= 11 + notGets.count + notGets3.count })
        #expect(receiver.requests.last?.headers["x-team"] == "green")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
    }

    @Test func notifySocketGetsReadyWatchdogAndStopping() async throws {
        let f = DaemonFixture()
        let socketPath = f.dir.file("notify.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in socketPath.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        func receive(seconds: Double) -> [String] {
            var messages: [String] = []
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 { messages.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
            }
            return messages
        }

        let config = f.config(output: f.fileOutput)
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path,
                                         environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "400000"])
        let started = receive(seconds: 3)
        let ready = try #require(started.firstIndex { $0.contains("READY=1") })
        #expect(started.filter { $0.contains("READY=1") }.count == 1)
        #expect(started.filter { $0 == "WATCHDOG=1" }.count >= 3, "\(started)")
        #expect(!started[..<ready].contains { $0.contains("STOPPING=1") })
        daemon.signal(SIGTERM)
        let stopping = receive(seconds: 2)
        #expect(stopping.contains { $0.contains("STOPPING=1") }, "\(stopping)")
        #expect(await daemon.waitForExit(seconds: 15) == 0)
    }
}
