import Foundation
import TailshipTail
import Testing
import TailshipTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The monitoring server of the real binary: /metrics values checked with
/// prometheus_client's parser, /readyz through an outage, and the registry tools.
@Suite(.serialized) struct MonitoringTests {
    @Test func metricsCountWhatWasReadShippedAndDecidedByThePolicy() async throws {
        let f = DaemonFixture()
        let receiver = try PyReceiver(directory: f.dir.path)
        let policyPath = f.dir.file("policy.yaml")
        try PolicyDaemonTests.policy.write(toFile: policyPath, atomically: true, encoding: .utf8)
        let config = f.config(output: f.httpOutput(receiver.url()), batch: "{max_events: 100, max_wait: 100ms}",
                              extra: "policy: \"\(policyPath)\"\nmonitoring: {listen: \"127.0.0.1:0\"}", maxLine: "64KiB")
        // 1,000 events (200 of each policy outcome), 2 lines that are not events, 1 oversize line.
        var lines = (0..<1000).map { PolicyDaemonTests.event($0).line }
        lines.insert("not json at all", at: 10)
        lines.insert("[1,2,3]", at: 500)
        lines.insert(String(repeating: "x", count: 100_000), at: 700)
        appendText(lines.map { $0 + "\n" }.joined(), to: f.log)
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! Int

        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        let client = try #require(await MonitoringClient.address(of: daemon))
        #expect(await eventually(seconds: 20) { receiver.acceptedLines.count >= 602 })
        // Wait for the registry write that follows the last acknowledgement.
        #expect(await eventually(seconds: 10) {
            (try? RegistryStore(path: f.registry).load()?.only?.entries.first?.offset) == UInt64(size)
        })
        let m = try client.scrape()
        // The exposition also passes Prometheus's own checker.
        let promtool = try client.promtoolCheck(in: f.dir.path)
        #expect(promtool.status == 0, "promtool check metrics: \(promtool.output)")
        try checkCounts(m, log: f.log, size: size)
        // Recomputed by the pin thread at least once a second.
        #expect(await eventually(seconds: 5) { (try? client.scrape().value("tailship_backlog_bytes")) == 0 })

        #expect(client.get("/healthz").status == 200)
        #expect(client.get("/readyz").status == 200)
        #expect(client.get("/metrics?x=1").status == 200)
        #expect(client.get("/other").status == 404)

        // Registry tools: changes are refused while the daemon holds the registry.
        let (busy, _, busyErr) = try TailshipProcess.run(["registry", "forget", f.log, "--config", config], directory: f.dir.path)
        #expect(busy == 1)
        #expect(busyErr.contains("in use by another tailship process"))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)

        try checkRegistryTools(f, config: config, size: size)
    }

    /// What the run of 1,003 lines must have counted.
    func checkCounts(_ m: [MonitoringClient.Sample], log: String, size: Int) throws {
        #expect(m.value("tailship_lines_read_total") == 1003)
        #expect(m.value("tailship_bytes_read_total") == Double(size))
        #expect(m.value("tailship_events_shipped_total") == 602)
        #expect(m.value("tailship_lines_oversize_total") == 1)
        #expect(m.value("tailship_lines_invalid_total") == 2)
        #expect(m.value("tailship_files_lost_total") == 0)
        let ok = try #require(m.value("tailship_batches_total", ["outcome": "ok"]))
        #expect(ok >= 7)
        #expect(m.value("tailship_batches_total", ["outcome": "retry"]) == 0)
        #expect(m.value("tailship_batches_total", ["outcome": "dead_letter"]) == 0)
        #expect(m.value("tailship_send_duration_seconds_count") == ok)
        // Every shipped audit event has a stageTimestamp (in the past: all land in +Inf and beyond an hour).
        #expect(m.value("tailship_event_delay_seconds_count") == 600)
        #expect(m.value("tailship_event_delay_seconds_bucket", ["le": "+Inf"]) == 600)
        #expect(m.value("tailship_event_delay_seconds_bucket", ["le": "3600.0"]) == 0)
        for (level, action) in [("None", "drop"), ("Request", "drop"), ("Metadata", "reduce"), ("Request", "reduce"), ("RequestResponse", "keep")] {
            #expect(m.value("tailship_policy_events_total", ["level": level, "action": action]) == 200, "\(level) \(action)")
        }
        #expect(m.value("tailship_policy_events_total", ["level": "unknown", "action": "invalid"]) == 2)
        #expect(m.value("tailship_file_lag_bytes", ["path": log]) == 0)
        #expect(m.value("tailship_open_files") == 1)
        #expect(m.value("tailship_inflight_batches") == 0)
        #expect(try #require(m.value("tailship_registry_writes_total")) >= 1)
        let lastWrite = try #require(m.value("tailship_registry_last_write_timestamp_seconds"))
        #expect(abs(lastWrite - Date().timeIntervalSince1970) < 60)
        #expect(m.contains { $0.name == "tailship_build_info" && $0.value == 1 && $0.labels["version"] != nil })
    }

    /// `registry show` (JSON and table), `forget` and `reset` on the registry the daemon left.
    func checkRegistryTools(_ f: DaemonFixture, config: String, size: Int) throws {
        let (status, json, _) = try TailshipProcess.run(["registry", "show", "--config", config, "--json"], directory: f.dir.path)
        #expect(status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        let document = try #require(try RegistryStore(path: f.registry).load()?.only)
        #expect(rows.count == document.entries.count)
        for entry in document.entries {
            let row = try #require(rows.first { $0["id"] as? String == "\(entry.device):\(entry.inode)" })
            #expect(row["path"] as? String == entry.path)
            #expect((row["offset"] as? NSNumber)?.uint64Value == entry.offset)
            #expect((row["inode"] as? NSNumber)?.uint64Value == entry.inode)
            #expect((row["size"] as? NSNumber)?.intValue == size)
            #expect((row["lag"] as? NSNumber)?.intValue == 0)
            #expect(row["fingerprint"] as? String == entry.fingerprint)
        }
        let (_, table, _) = try TailshipProcess.run(["registry", "show", "--registry", f.registry], directory: f.dir.path)
        #expect(table.contains(f.log) && table.contains("\(size)"))

        let (forgot, forgotOut, _) = try TailshipProcess.run(["registry", "forget", f.log, "--registry", f.registry], directory: f.dir.path)
        #expect(forgot == 0)
        #expect(forgotOut.contains("forgot"))
        #expect(try RegistryStore(path: f.registry).load()?.only?.entries.isEmpty == true)
        let (unknown, _, unknownErr) = try TailshipProcess.run(["registry", "forget", "1:2", "--registry", f.registry], directory: f.dir.path)
        #expect(unknown == 1)
        #expect(unknownErr.contains("no entry"))
        let (unconfirmed, _, _) = try TailshipProcess.run(["registry", "reset", "--registry", f.registry], directory: f.dir.path)
        #expect(unconfirmed == 1)
        #expect(FileManager.default.fileExists(atPath: f.registry))
        let (reset, _, _) = try TailshipProcess.run(["registry", "reset", "--yes", "--registry", f.registry], directory: f.dir.path)
        #expect(reset == 0)
        #expect(!FileManager.default.fileExists(atPath: f.registry))
    }

    @Test func readyzFailsWhileTheOutputIsDownPastTheThresholdAndRecovers() async throws {
        let f = DaemonFixture()
        let outage = f.dir.file("outage")
        _ = FileManager.default.createFile(atPath: outage, contents: nil)
        let receiver = try PyReceiver(directory: f.dir.path, failWhile: outage)
        let config = f.config(output: f.httpOutput(receiver.url(), extra: "max_in_flight: 4"), batch: "{max_events: 10, max_wait: 50ms}",
                              extra: "monitoring: {listen: \"127.0.0.1:0\", ready_max_failure_age: 2s}")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        let client = try #require(await MonitoringClient.address(of: daemon))
        #expect(await eventually(seconds: 10) { client.get("/readyz").status == 200 })
        appendText((0..<100).map { numberedLine($0) + "\n" }.joined(), to: f.log)
        // Failing, but not for long enough yet.
        #expect(await eventually(seconds: 10) { receiver.requests.count >= 4 })
        #expect(client.get("/readyz").status == 200)
        #expect(await eventually(seconds: 15) { client.get("/readyz").status == 503 })
        let notReady = client.get("/readyz")
        #expect(notReady.body.contains("no success"))
        #expect(client.get("/healthz").status == 200)
        let failing = try client.scrape()
        #expect(try #require(failing.value("tailship_batches_total", ["outcome": "retry"])) >= 4)
        #expect(failing.value("tailship_inflight_batches") == 4)
        #expect(try #require(failing.value("tailship_file_lag_bytes", ["path": f.log])) > 0)

        // The log of the outage itself: once a send succeeds the limiter starts afresh, and a batch
        // whose failed answer arrives just after that may log its attempt number again (CI saw 14 twice).
        let duringOutage = daemon.stderr
        try FileManager.default.removeItem(atPath: outage)
        #expect(await eventually(seconds: 15) { client.get("/readyz").status == 200 })
        #expect(await eventually(seconds: 15) { Set(receiver.acceptedLines).count == 100 })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)

        // One "will retry" line per backoff step, not one per batch: 4 batches failed together.
        let attempts = duringOutage.split(separator: "\n").filter { $0.contains("send failed; will retry") }.compactMap { line -> Int? in
            guard let r = line.range(of: "attempt=") else { return nil }
            return Int(line[r.upperBound...].prefix { $0.isNumber })
        }
        #expect(!attempts.isEmpty)
        #expect(Set(attempts).count == attempts.count, "each attempt number logged once: \(attempts)")
        #expect(duringOutage.contains("suppressed="))
    }

    @Test func aTakenPortStopsTheStartWithAClearError() async throws {
        let f = DaemonFixture()
        let first = try TailshipProcess(["run", "--config", f.config(output: f.fileOutput, extra: "monitoring: {listen: \"127.0.0.1:0\"}")],
                                        directory: f.dir.path)
        let client = try #require(await MonitoringClient.address(of: first))
        let g = DaemonFixture()
        let (status, _, stderr) = try TailshipProcess.run(
            ["run", "--config", g.config(output: g.fileOutput, extra: "monitoring: {listen: \"\(client.address)\"}")], directory: g.dir.path)
        #expect(status == 1)
        #expect(stderr.contains("monitoring.listen"))
        first.signal(SIGTERM)
        #expect(await first.waitForExit(seconds: 15) == 0)
    }
}
