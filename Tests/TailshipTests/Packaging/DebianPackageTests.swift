import Foundation
import TailshipCompress
import Testing
import TailshipTestSupport

/// The package `make test` built, if any.
let builtPackage = ProcessInfo.processInfo.environment["TAILSHIP_DEB"].flatMap { $0.isEmpty ? nil : $0 }

/// The .deb that `make deb` builds (TAILSHIP_DEB, set by `make test`): lintian,
/// contents, the unit checked against them, and a real install, run and removal.
@Suite(.serialized, .enabled(if: builtPackage != nil, "make test builds the .deb and sets TAILSHIP_DEB"))
struct DebianPackageTests {
    static var deb: String? { builtPackage }
    static var root: String {
        URL(fileURLWithPath: PyReceiver.toolsDirectory).deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Runs a command; installing and removing need root: sudo (without a prompt) when not root already.
    @discardableResult
    static func run(_ args: [String], environment: [String: String] = [:], directory: String? = nil) throws -> (Int32, String) {
        let needsRoot = args.count > 1 && args[0] == "dpkg" && ["-i", "-r", "--purge"].contains(args[1])
        return try runCommand((needsRoot && getuid() != 0 ? ["sudo", "-n"] : []) + args, environment: environment, directory: directory)
    }

    @Test func lintianFindsNoErrors() throws {
        let (status, output) = try Self.run(["lintian", "--fail-on", "error", try #require(Self.deb)])
        #expect(status == 0, "\(output)")
        #expect(!output.contains("\nE: ") && !output.hasPrefix("E: "), "\(output)")
    }

    @Test func contentsDependenciesAndTheUnitAgree() throws {
        let deb = try #require(Self.deb)
        let (_, listing) = try Self.run(["dpkg-deb", "-c", deb])
        let files = Set(listing.split(separator: "\n").compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).last.map { String($0.dropFirst()) }
        })
        for path in ["/usr/bin/tailship", "/lib/systemd/system/tailship.service", "/etc/tailship/tailship.yaml",
                     "/usr/share/doc/tailship/copyright", "/usr/share/doc/tailship/changelog.gz"] {
            #expect(files.contains(path), "\(path)")
        }
        for example in ["http", "elasticsearch", "splunk", "loki", "audit-webhook", "policy", "webhook-input", "apiserver-audit-webhook-config"] {
            #expect(files.contains("/usr/share/doc/tailship/examples/\(example).yaml"), "\(example)")
        }
        let (_, depends) = try Self.run(["dpkg-deb", "-f", deb, "Depends"])
        #expect(depends.contains("libc6") && depends.contains("zlib1g"), "\(depends)")
        #expect(depends.contains("procps"), "ExecReload runs /bin/kill: \(depends)")
        // The package's binary links ISA-L where the build had it: then it must depend on libisal2.
        #expect(depends.contains("libisal2") == CompressionEngine.isalBuiltIn, "\(depends)")
        let (_, conffiles) = try Self.run(["dpkg-deb", "-I", deb, "conffiles"])
        #expect(conffiles.contains("/etc/tailship/tailship.yaml"))

        // systemd is not PID 1 here: check that what the unit starts is in the package,
        // and that every path the default config writes is inside StateDirectory.
        let unit = try String(contentsOfFile: "\(Self.root)/packaging/systemd/tailship.service", encoding: .utf8)
        let execStart = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        let words = execStart.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
        #expect(files.contains(words[0]))
        #expect(words.contains { $0.hasPrefix("/etc/") } && words.filter { $0.hasPrefix("/") }.allSatisfy { files.contains($0) })
        #expect(unit.contains("Type=notify"))
        #expect(unit.contains("StateDirectory=tailship"))
        let config = try String(contentsOfFile: "\(Self.root)/packaging/config/tailship.yaml", encoding: .utf8)
        let written = config.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            for key in ["path: ", "directory: "] where t.hasPrefix(key) { return String(t.dropFirst(key.count)) }
            return nil
        }
        #expect(written.count == 3, "\(written)")
        #expect(written.allSatisfy { $0.hasPrefix("/var/lib/tailship/") }, "\(written)")
    }

    @Test func installsRunsAndRemoves() async throws {
        let deb = try #require(Self.deb)
        let (installed, installLog) = try Self.run(["dpkg", "-i", deb])
        #expect(installed == 0, "\(installLog)")
        defer { _ = try? Self.run(["dpkg", "--purge", "tailship"]) }

        let (v, version) = try Self.run(["/usr/bin/tailship", "version"])
        #expect(v == 0)
        #expect(version.hasPrefix("tailship "))
        let (c, check) = try Self.run(["/usr/bin/tailship", "check", "--config", "/etc/tailship/tailship.yaml"])
        #expect(c == 0, "\(check)")
        #expect(check.contains("/var/log/k8s_audit.log"))

        // Only libc, zlib and ISA-L (and glibc's own parts) at run time.
        let (_, ldd) = try Self.run(["ldd", "/usr/bin/tailship"])
        let libraries = ldd.split(separator: "\n").compactMap { $0.split(separator: " ").first.map { $0.trimmingCharacters(in: .whitespaces) } }
        let glibc = ["linux-vdso.so.1", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1"]
        for library in libraries where !glibc.contains(library) && !library.hasPrefix("/lib64/ld-linux") {
            #expect(library == "libz.so.1" || library == "libisal.so.2", "unexpected run-time library \(library): \(ldd)")
        }
        #expect(libraries.contains("libisal.so.2") == CompressionEngine.isalBuiltIn, "\(ldd)")

        let (verified, verifyLog) = try Self.run(["systemd-analyze", "verify", "/lib/systemd/system/tailship.service"])
        #expect(verified == 0, "\(verifyLog)")
        let (_, security) = try Self.run(["systemd-analyze", "security", "--offline=yes", "/lib/systemd/system/tailship.service"])
        let score = security.split(separator: "\n").first { $0.contains("Overall exposure level") }
            .flatMap { $0.split(separator: ":").last?.split(separator: " ").first }.flatMap { Double($0) }
        #expect(try #require(score, "\(security)") <= 2.5)

        // Every example passes `tailship check` (secret and CA files stood in for).
        let dir = TempDirectory()
        for example in ["http", "elasticsearch", "splunk", "loki", "audit-webhook", "webhook-input"] {
            var text = try String(contentsOfFile: "/usr/share/doc/tailship/examples/\(example).yaml", encoding: .utf8)
            for secret in ["ca.pem", "token", "es-password", "es-ca.pem", "hec-token", "splunk-ca.pem"] {
                try "stand-in\n".write(toFile: dir.file(secret), atomically: true, encoding: .utf8)
                text = text.replacingOccurrences(of: "/etc/tailship/\(secret)", with: dir.file(secret))
            }
            try text.write(toFile: dir.file("\(example).yaml"), atomically: true, encoding: .utf8)
            let (status, output) = try Self.run(["/usr/bin/tailship", "check", "--config", dir.file("\(example).yaml")],
                                                environment: ["CLUSTER_NAME": "test"])
            #expect(status == 0, "\(example): \(output)")
        }

        // The installed (static, stripped) binary runs the whole pipeline.
        let (demo, demoOut) = try Self.run(["/usr/bin/tailship", "demo", "--events", "3000"], directory: dir.path)
        #expect(demo == 0, "\(demoOut)")
        #expect(demoOut.contains("lost 0"))

        let (removed, removeLog) = try Self.run(["dpkg", "-r", "tailship"])
        #expect(removed == 0, "\(removeLog)")
        #expect(!FileManager.default.fileExists(atPath: "/usr/bin/tailship"))
        #expect(!FileManager.default.fileExists(atPath: "/lib/systemd/system/tailship.service"))
        // A conffile stays until purge.
        #expect(FileManager.default.fileExists(atPath: "/etc/tailship/tailship.yaml"))
    }
}
