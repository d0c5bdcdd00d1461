import Foundation
import Testing
import TailshipTail
import TailshipTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The registry's directory turns read-only while the daemon runs (a remount, a
/// wrong chmod): shipping goes on, the failure is logged and counted, the registry
/// on disk stays the last good one, and it catches up once the directory is writable.
@Suite(.serialized) struct ReadOnlyRegistryTests {
    @Test func readOnlyRegistryDirectoryKeepsShippingAndCatchesUp() async throws {
        let run = try await ReadErrorTests.Run()
        let f = run.f
        let state = (f.registry as NSString).deletingLastPathComponent
        func committed() -> UInt64? { try? RegistryStore(path: f.registry).load()?.only?.entries.first?.offset }
        func size() -> UInt64 { (try? FileManager.default.attributesOfItem(atPath: f.log)[.size] as? UInt64) ?? 0 }

        ReadErrorTests.write(0..<100, to: f.log)
        await run.expectDelivered(ReadErrorTests.lines(0..<100))
        let firstSize = size()
        #expect(await eventually(seconds: 10) { committed() == firstSize })

        #expect(chmod(state, 0o555) == 0)
        ReadErrorTests.write(100..<300, to: f.log)
        await run.expectDelivered(ReadErrorTests.lines(0..<300))
        #expect(await eventually(seconds: 10) { run.daemon.stderr.contains("cannot write registry") })
        #expect(run.daemon.stderr.contains("Permission denied"))
        #expect((try? run.client.scrape().value("tailship_registry_write_errors_total")) ?? 0 >= 1)
        // The file on disk is still the last good one: it loads and points at the first 100 lines' end.
        #expect(committed() == firstSize)

        #expect(chmod(state, 0o755) == 0)
        let fullSize = size()
        #expect(await eventually(seconds: 10) { committed() == fullSize })
        // Logged just after the file is replaced: wait for the line, not only the file.
        #expect(await eventually(seconds: 10) { run.daemon.stderr.contains("registry written again") })
        await run.stop()
    }
}
