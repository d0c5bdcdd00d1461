import Foundation
import Testing
import TailshipTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Everything at once: kube-apiserver's rotation library writing fast with
/// small files and gzip, a receiver that fails at random in every way it can,
/// and Tailship killed with SIGKILL at random moments and restarted. Every
/// written auditID must arrive at least once. `make test` runs a short round
/// (5 kills); `make chaos` runs long ones on three seeds (TAILSHIP_CHAOS_*).
@Suite(.serialized) struct ChaosTests {
    struct Settings {
        var seed: UInt64
        var kills: Int
        var events: Int
        var rate: Int
        /// lumberjack's MaxBackups: with 1 MiB files, how far behind Tailship may fall before backups it
        /// has not read are deleted (a loss no shipper could prevent, so the rate must stay below what
        /// the failing receiver lets through).
        var backups: Int

        static func fromEnvironment() -> Settings {
            let env = ProcessInfo.processInfo.environment
            return Settings(seed: env["TAILSHIP_CHAOS_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...999_999),
                            kills: env["TAILSHIP_CHAOS_KILLS"].flatMap(Int.init) ?? 5,
                            events: env["TAILSHIP_CHAOS_EVENTS"].flatMap(Int.init) ?? 40_000,
                            rate: env["TAILSHIP_CHAOS_RATE"].flatMap(Int.init) ?? 4_000,
                            backups: env["TAILSHIP_CHAOS_BACKUPS"].flatMap(Int.init) ?? 40)
        }
    }

    @Test func killedRestartedAndFailedAtRandomEveryEventArrives() async throws {
        let s = Settings.fromEnvironment()
        var random = SplitMix64(seed: s.seed)  // the seed alone decides the kill schedule
        print("chaos: seed \(s.seed), \(s.kills) kills, \(s.events) events at \(s.rate)/s, 1 MiB files, \(s.backups) gzipped backups kept (TAILSHIP_CHAOS_SEED=\(s.seed) repeats the kill schedule and the receiver's draws)")
        let f = DaemonFixture()
        let portFile = f.dir.file("chaos.port"), ids = f.dir.file("received.ids")
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        receiver.arguments = ["python3", "\(PyReceiver.toolsDirectory)/chaos_receiver.py", "--port-file", portFile, "--ids", ids,
                              "--seed", "\(s.seed)", "--slow", "1.5"]
        receiver.standardError = FileHandle.nullDevice
        try receiver.run()
        defer { kill(receiver.processIdentifier, SIGKILL); receiver.waitUntilExit() }
        #expect(await eventually(seconds: 10) { FileManager.default.fileExists(atPath: portFile) })
        let port = try String(contentsOfFile: portFile, encoding: .utf8)
        let config = f.config(
            output: "  http: {url: \"http://127.0.0.1:\(port)/ingest\", timeout: 1s, retry: {initial_backoff: 50ms, max_backoff: 1s}}",
            batch: "{max_events: 500, max_wait: 100ms}", shutdown: "3s")
            .replacingOccurrences(of: "max_backoff: 1s}}", with: "max_backoff: 1s}, max_in_flight: 4}")

        let writer = try LumberjackWriter.start(path: f.log, events: s.events, rate: s.rate, maxSizeMiB: 1, backups: s.backups)
        var daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "tailship-0")
        var stderrs: [TailshipProcess] = [daemon]
        for k in 1...s.kills {
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...2500, using: &random)))
            daemon.signal(SIGKILL)
            _ = await daemon.waitForExit(seconds: 10)
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...800, using: &random)))
            daemon = try TailshipProcess(["run", "--config", config], directory: f.dir.path, name: "tailship-\(k)")
            stderrs.append(daemon)
        }
        while writer.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(writer.terminationStatus == 0)

        let written = LumberjackWriter.ids(0..<s.events)
        func received() -> [String] {
            ((try? String(contentsOfFile: ids, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        _ = await eventually(seconds: 90) { Set(received()).count >= written.count }
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
        let report = DeliveryReport(written: written, delivered: received())
        let lost = stderrs.flatMap { $0.stderr.split(separator: "\n").filter { $0.contains("lost") || $0.contains("level=critical") } }
        print("chaos: seed \(s.seed): \(report), files reported lost \(lost.count)")
        #expect(report.missing.count == 0, "seed \(s.seed): \(report)")
        #expect(lost.isEmpty, "seed \(s.seed): \(lost.count) lines such as \(lost.first ?? "")")
    }
}
