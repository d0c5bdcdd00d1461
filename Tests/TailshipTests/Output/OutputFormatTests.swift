import Foundation
import TailshipShip
import TailshipTail
import Testing
import TailshipTestSupport

/// Every output format, decoded by an independent parser (tools/test-receiver/check_format.py,
/// Python's json) following the format's public shape.
@Suite(.serialized) struct OutputFormatTests {
    static var realLog: String {
        TestFixtures.real.appendingPathComponent("openshift-cluster-logging-operator_audit_in.log").path
    }

    static let formats: [(name: String, extra: String)] = [
        ("ndjson", ""),
        ("json-array", ""),
        ("audit-eventlist", "compression: none"),
        ("elasticsearch-bulk", "elasticsearch: {index: \"audit-%Y.%m.%d\"}"),
        ("splunk-hec", "splunk: {token_file: TOKEN, index: audit, host: node-1}"),
        ("loki", "loki: {labels: {job: audit, verb: \"{verb}\"}}"),
    ]

    @Test("each format carries every event byte for byte", arguments: formats.map(\.name))
    func format(_ name: String) async throws {
        let f = DaemonFixture()
        let token = f.dir.file("hec-token")
        try "hec-secret".write(toFile: token, atomically: true, encoding: .utf8)
        let extra = Self.formats.first { $0.name == name }!.extra.replacingOccurrences(of: "TOKEN", with: "\"\(token)\"")
        // Elasticsearch wants a bulk response with one item per action.
        let receiver = try PyReceiver(directory: f.dir.path, defaultAnswer: name == "elasticsearch-bulk" ? #"{"status": 200, "bulk": [201]}"# : nil)
        var events = Array(try String(contentsOfFile: Self.realLog, encoding: .utf8).split(separator: "\n").prefix(150).map(String.init))
        // Lines that are not JSON objects, and an object that is not an audit event, among real events: ndjson and
        // loki carry them (loki as strings); json-array, elasticsearch-bulk and splunk-hec dead-letter the
        // non-objects, audit-eventlist everything that is not an audit event; every body stays valid JSON.
        for (junk, at) in zip(["plain text, not an event \"quoted\"", "[1,2]", "\"str\"", "{}"], [10, 40, 60, 90]) { events.insert(junk, at: at) }
        let carried = events.filter { Self.carries(name, $0) }
        appendText(events.map { $0 + "\n" }.joined(), to: f.log)
        try carried.map { $0 + "\n" }.joined().write(toFile: f.dir.file("events.ndjson"), atomically: true, encoding: .utf8)
        let output = "  http: {url: \"\(receiver.url())\", format: \(name), max_in_flight: 1, timeout: 5s\(extra.isEmpty ? "" : ", " + extra)}"
        let config = f.config(output: output, batch: "{max_events: 40, max_wait: 100ms}")
        let daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path)
        #expect(await daemon.ready())
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(await eventually(seconds: 20) { (try? RegistryStore(path: f.registry).load()?.only?.entries.first?.offset) == size })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)

        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "\(PyReceiver.toolsDirectory)/check_format.py", name, receiver.log, f.dir.file("events.ndjson")]
        let pipe = Pipe()
        check.standardOutput = pipe
        try check.run()
        let result = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "\(name): \(result)")
        #expect(result == "ok \(carried.count)\n")
        let stored = try readDeadLetters(f.deadLetter).lines
        #expect(stored.sorted() == events.filter { !Self.carries(name, $0) }.sorted(), "\(name)")

        let requests = receiver.requests
        #expect(requests.count >= 3)
        let type = name == "ndjson" || name == "elasticsearch-bulk" ? "application/x-ndjson" : "application/json"
        #expect(requests.allSatisfy { $0.headers["content-type"] == type })
        #expect(requests.allSatisfy { ($0.headers["content-encoding"] == "gzip") == (name != "audit-eventlist") })
        if name == "splunk-hec" {
            #expect(requests.allSatisfy { $0.headers["authorization"] == "Splunk hec-secret" })
        }
    }

    /// Whether a format carries a line in its body (decided with Foundation's JSON parser).
    static func carries(_ format: String, _ line: String) -> Bool {
        let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        switch format {
        case "json-array", "elasticsearch-bulk", "splunk-hec": return object != nil
        case "audit-eventlist": return object?["auditID"] is String
        default: return true
        }
    }

    @Test func elasticsearchItemResultsAreRetriedDeadLetteredOrAcceptedOneByOne() async throws {
        let f = DaemonFixture()
        let receiver = try PyReceiver(directory: f.dir.path, script: #"[{"status": 200, "bulk": [201, 409, 429, 400]}]"#,
                                      defaultAnswer: #"{"status": 200, "body": "{\"took\":1,\"errors\":false,\"items\":[]}"}"#)
        let events = (0..<8).map { i in
            #"{"kind":"Event","auditID":"a\#(i)","stage":"ResponseComplete","stageTimestamp":"2026-11-27T01:02:03.000004Z","n":\#(i)}"#
        }
        appendText(events.map { $0 + "\n" }.joined(), to: f.log)
        let output = "  http: {url: \"\(receiver.url())\", format: elasticsearch-bulk, max_in_flight: 1, timeout: 5s, retry: {initial_backoff: 50ms, max_backoff: 200ms}}"
        let daemon = try TailshipProcess(["run", "--config", f.config(output: output, batch: "{max_events: 100, max_wait: 200ms}")],
                                         directory: f.dir.path)
        #expect(await daemon.ready())
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(await eventually(seconds: 15) { (try? RegistryStore(path: f.registry).load()?.only?.entries.first?.offset) == size })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 10) == 0)

        let requests = receiver.requests
        try #require(requests.count == 2, "\(requests.map(\.text))")
        // Only the two 429 items (2 and 6) are sent again, alone.
        let retried = requests[1].text.split(separator: "\n").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        #expect(retried == [events[2], events[6]])
        #expect(requests[0].text.contains(#"{"create":{"_index":"k8s-audit-2026.11.27","_id":"a0-ResponseComplete"}}"#))
        // The two 400 items (3 and 7) are in the dead-letter directory, with the errors.
        let names = try FileManager.default.contentsOfDirectory(atPath: f.deadLetter)
        let body = try #require(names.first { $0.hasSuffix(".ndjson.gz") })
        #expect(try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: "\(f.deadLetter)/\(body)")))) ==
                Array((events[3] + "\n" + events[7] + "\n").utf8))
        let meta = try String(contentsOfFile: "\(f.deadLetter)/\(try #require(names.first { $0.hasSuffix(".json") }))", encoding: .utf8)
        #expect(meta.contains("Elasticsearch rejected 2 bulk item(s)") && meta.contains("status 400"))
    }
}
