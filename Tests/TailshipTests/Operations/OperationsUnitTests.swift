import Foundation
@testable import Tailship
import TailshipShip
import Testing

@Suite struct ConfigChangesTests {
    static let base = """
        inputs: [{paths: [/var/log/a.log]}]
        registry: {path: /tmp/r.json}
        output: {http: {url: "http://127.0.0.1:1/x", headers: {X-A: "1"}}}
        log: {level: info}
        """

    func keys(_ change: (String) -> String) throws -> [String] {
        let old = try ResolvedConfig.resolve(ResolvedConfig.parse(Self.base), overrides: .init())
        let new = try ResolvedConfig.resolve(ResolvedConfig.parse(change(Self.base)), overrides: .init())
        return ConfigChanges.restartKeys(old: old, new: new)
    }

    @Test func reloadableSettingsAreNotReported() throws {
        #expect(try keys { $0.replacingOccurrences(of: "X-A: \"1\"", with: "X-A: \"2\", X-B: \"3\"") } == [])
        #expect(try keys { $0.replacingOccurrences(of: "level: info", with: "level: debug") } == [])
    }

    @Test func otherChangesAreNamedByKey() throws {
        #expect(try keys { $0.replacingOccurrences(of: "127.0.0.1:1/x", with: "127.0.0.1:2/x") } == ["output.http.url"])
        #expect(try keys { $0 + "\nbatch: {max_events: 7}" } == ["batch.max_events"])
        #expect(try keys { $0.replacingOccurrences(of: "/var/log/a.log", with: "/var/log/b.log") } == ["inputs[0].paths"])
        #expect(try keys { $0 + "\nmonitoring: {listen: \"127.0.0.1:9880\"}" } == ["monitoring"])
        #expect(try keys { $0.replacingOccurrences(of: "level: info", with: "level: info, format: json") } == ["log"])
    }

    @Test func monitoringListenIsValidated() throws {
        for bad in ["9880", ":9880", "127.0.0.1:99999", "127.0.0.1:x"] {
            #expect(throws: ConfigError.self) {
                try ResolvedConfig.resolve(ResolvedConfig.parse(Self.base + "\nmonitoring: {listen: \"\(bad)\"}"), overrides: .init())
            }
        }
        let off = try ResolvedConfig.resolve(ResolvedConfig.parse(Self.base + "\nmonitoring: {listen: \"\"}"), overrides: .init())
        #expect(off.monitoring == nil)
        let on = try ResolvedConfig.resolve(ResolvedConfig.parse(Self.base + "\nmonitoring: {listen: \"[::1]:0\", ready_max_failure_age: 30s}"),
                                            overrides: .init())
        #expect(on.monitoring == ResolvedConfig.Monitoring(host: "::1", port: 0, readyMaxFailureAge: 30))
    }
}

@Suite struct StageTimestampTests {
    func find(_ line: String) -> Int64? {
        Array(line.utf8).withUnsafeBytes { StageTimestamp.nanoseconds($0) }
    }

    @Test func findsTheFieldNearTheEndOrAnywhere() {
        let ts = "2026-11-27T01:00:00.123456Z"
        let expected = RFC3339Check.nanoseconds(ts)
        #expect(find(#"{"kind":"Event","stageTimestamp":"\#(ts)","annotations":{}}"#) == expected)
        // Beyond the last KiB: found by the full search.
        let padding = String(repeating: "y", count: 5000)
        #expect(find(#"{"stageTimestamp":"\#(ts)","responseObject":{"x":"\#(padding)"}}"#) == expected)
        #expect(find(#"{"kind":"Event","requestReceivedTimestamp":"\#(ts)"}"#) == nil)
        #expect(find(#"{"stageTimestamp":"not a time"}"#) == nil)
        #expect(find(#"{"stageTimestamp":"2026-11-27T01:00:00Z"#) == nil)
    }
}

/// Independent arithmetic for the expected value.
enum RFC3339Check {
    static func nanoseconds(_ text: String) -> Int64 {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = formatter.date(from: text)!
        let fraction = text.split(separator: ".").last!.dropLast()
        return Int64(date.timeIntervalSince1970.rounded(.down)) * 1_000_000_000 + Int64(fraction.padding(toLength: 9, withPad: "0", startingAt: 0))!
    }
}

@Suite struct SystemdNotifierTests {
    @Test func readsTheEnvironmentLikeSdNotify() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x"])?.watchdogInterval == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "10000000"])?.watchdogInterval == 5)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "1"])?.watchdogInterval == nil)
    }
}
