import Foundation
import Testing
import TailshipTestSupport

/// The binary `make test` builds without ISA-L (`TAILSHIP_ISAL=0`, as on a machine without
/// libisal-dev): it links no libisal, chooses zlib, refuses `compression_engine: isal`, and
/// still ships and reads gzip (Debian's gzip checks what it wrote).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TAILSHIP_ZLIB_ONLY_BIN"] != nil,
                             "make test builds the zlib-only binary and sets TAILSHIP_ZLIB_ONLY_BIN"))
struct ZlibOnlyBuildTests {
    static var binary: String { ProcessInfo.processInfo.environment["TAILSHIP_ZLIB_ONLY_BIN"] ?? "" }

    static func run(_ args: [String]) throws -> (Int32, String) {
        try runCommand([binary] + args)
    }

    @Test func linksNoISALAndChoosesZlib() throws {
        let (_, ldd) = try runCommand(["ldd", Self.binary])
        #expect(!ldd.contains("libisal"), "\(ldd)")
        #expect(ldd.contains("libz.so.1"), "\(ldd)")
        let f = DaemonFixture()
        let (status, out) = try Self.run(["check", "--config", f.config(output: f.fileOutput)])
        #expect(status == 0 && out.contains("compression_engine: zlib"), "\(out)")
        let (refused, err) = try Self.run(["check", "--config", f.config(output: "  compression_engine: isal\n" + f.fileOutput)])
        #expect(refused != 0 && err.contains("output.compression_engine") && err.contains("no ISA-L"), "\(err)")
    }

    /// Backfill of a live file and a gzipped backup to the file sink: everything arrives, and
    /// Debian's gzip accepts every output file.
    @Test func shipsAndReadsGzipWithZlibAlone() throws {
        let f = DaemonFixture()
        let lines = (0..<3000).map(numberedLine)
        appendText(lines[..<2000].map { $0 + "\n" }.joined(), to: f.dir.file("k8s_audit-2026-11-26T11-00-00.000.log"))
        #expect(try runCommand(["gzip", f.dir.file("k8s_audit-2026-11-26T11-00-00.000.log")]).0 == 0)
        appendText(lines[2000...].map { $0 + "\n" }.joined(), to: f.log)
        let (status, out) = try Self.run(["backfill", "--config", f.config(output: f.fileOutput)])
        #expect(status == 0, "\(out)")
        var decoded = ""
        for name in try FileManager.default.contentsOfDirectory(atPath: f.out).sorted() where name.hasSuffix(".gz") {
            #expect(try runCommand(["gzip", "-t", "\(f.out)/\(name)"]).0 == 0, "\(name)")
            decoded += try runCommand(["gzip", "-dc", "\(f.out)/\(name)"]).1
        }
        #expect(decoded.split(separator: "\n").map(String.init) == lines)
    }
}
