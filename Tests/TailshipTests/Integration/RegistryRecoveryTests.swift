import Foundation
import TailshipTail
import Testing
import TailshipTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A corrupt registry: the daemon falls back to the previous good copy, loudly;
/// without one it refuses to start and names --registry-reset, which starts over.
@Suite(.serialized) struct RegistryRecoveryTests {
    func runUntilDelivered(_ f: DaemonFixture, config: String, count: Int, arguments: [String] = []) async throws -> TailshipProcess {
        let daemon = try TailshipProcess(["run", "--config", config] + arguments, directory: f.dir.path)
        #expect(await daemon.ready())
        #expect(await eventually(seconds: 20) { f.delivered().count >= count })
        // Stop once every byte is committed.
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(await eventually(seconds: 20) { (try? RegistryStore(path: f.registry).load()?.only?.entries.first?.offset) == size })
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(seconds: 15) == 0)
        return daemon
    }

    @Test func aCorruptRegistryFallsBackToThePreviousCopyAndLosesNothing() async throws {
        let f = DaemonFixture()
        let config = f.config(output: f.fileOutput)
        let lines = (0..<300).map(numberedLine)
        appendText(lines[0..<100].map { $0 + "\n" }.joined(), to: f.log)
        _ = try await runUntilDelivered(f, config: config, count: 100)
        appendText(lines[100..<200].map { $0 + "\n" }.joined(), to: f.log)
        _ = try await runUntilDelivered(f, config: config, count: 200)
        let store = RegistryStore(path: f.registry)
        #expect(FileManager.default.fileExists(atPath: store.previousPath))
        // Garbage where the registry was.
        try Data(repeating: 0x41, count: 300).write(to: URL(fileURLWithPath: f.registry))
        appendText(lines[200..<300].map { $0 + "\n" }.joined(), to: f.log)
        let daemon = try await runUntilDelivered(f, config: config, count: 300)
        #expect(daemon.stderr.contains("REGISTRY CORRUPT"))
        #expect(daemon.stderr.contains("previous good copy"))
        let delivered = f.delivered()
        #expect(inOrderAtLeastOnce(delivered, expected: lines), "\(firstDeparture(delivered, expected: lines))")
        let size = try FileManager.default.attributesOfItem(atPath: f.log)[.size] as! UInt64
        #expect(try store.load()?.only?.entries.first?.offset == size)
    }

    @Test func withNoGoodCopyItRefusesToStartAndRegistryResetStartsOver() async throws {
        let f = DaemonFixture()
        let config = f.config(output: f.fileOutput)
        let lines = (0..<50).map(numberedLine)
        appendText(lines.map { $0 + "\n" }.joined(), to: f.log)
        _ = try await runUntilDelivered(f, config: config, count: 50)
        let store = RegistryStore(path: f.registry)
        try FileManager.default.removeItem(atPath: store.previousPath)
        try Data("{\"version\":1,\"entries\":[{\"device\"".utf8).write(to: URL(fileURLWithPath: f.registry))

        let (status, _, stderr) = try TailshipProcess.run(["run", "--config", config], directory: f.dir.path)
        #expect(status == 1)
        #expect(stderr.contains("--registry-reset"))
        #expect(stderr.contains("corrupt"))
        #expect(FileManager.default.fileExists(atPath: f.registry), "the corrupt file is left for the operator")

        let daemon = try await runUntilDelivered(f, config: config, count: 100, arguments: ["--registry-reset"])
        #expect(daemon.stderr.contains("--registry-reset"))
        // Read again from the beginning: every line twice, nothing lost.
        #expect(f.delivered() == lines + lines)
        #expect(try FileManager.default.contentsOfDirectory(atPath: (f.registry as NSString).deletingLastPathComponent)
            .contains { $0.hasPrefix("registry.json.reset-") })
    }
}
