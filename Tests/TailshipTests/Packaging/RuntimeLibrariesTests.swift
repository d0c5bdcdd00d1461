import Foundation
import Testing
import TailshipTestSupport

/// Every shared library the packaged binary needs (ldd), beyond glibc, belongs to a Debian
/// package (dpkg -S) that the .deb depends on and the container image's runtime stage installs.
@Suite(.enabled(if: builtPackage != nil, "make test builds the .deb and sets TAILSHIP_DEB"))
struct RuntimeLibrariesTests {
    static let glibc = ["linux-vdso.so.1", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1"]

    /// The Debian package owning `path`, trying it as given and under /usr (merged /usr).
    static func owner(of path: String) throws -> String? {
        for candidate in [path, path.hasPrefix("/usr/") ? String(path.dropFirst(4)) : "/usr" + path] {
            let (status, out) = try runCommand(["dpkg", "-S", candidate])
            if status == 0, let name = out.split(separator: ":").first { return String(name) }
        }
        return nil
    }

    @Test func everyLinkedLibraryIsADependencyAndInTheImage() throws {
        let deb = try #require(builtPackage)
        let dir = TempDirectory()
        #expect(try runCommand(["dpkg-deb", "-x", deb, dir.path]).0 == 0)
        let (_, ldd) = try runCommand(["ldd", dir.file("usr/bin/tailship")])
        let (_, depends) = try runCommand(["dpkg-deb", "-f", deb, "Depends"])
        let root = DebianPackageTests.root
        let containerfile = try String(contentsOfFile: "\(root)/packaging/container/Containerfile", encoding: .utf8)
        let runtimeStage = try #require(containerfile.components(separatedBy: "\nFROM ").last)
        var packages: [String] = []
        for line in ldd.split(separator: "\n") {
            let words = line.split(separator: " ").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = words.first, !Self.glibc.contains(name), !name.hasPrefix("/lib64/ld-linux") else { continue }
            let path = try #require(words.count >= 3 && words[1] == "=>" ? words[2] : nil, "\(name) not found: \(ldd)")
            let package = try #require(try Self.owner(of: path), "no Debian package owns \(path)")
            packages.append(package)
            #expect(depends.contains(package), "\(name) is in \(package), which the .deb does not depend on: \(depends)")
            #expect(runtimeStage.contains(" \(package) "), "\(name) is in \(package), which the image's runtime stage does not install")
        }
        #expect(packages.contains("zlib1g"), "\(ldd)")
    }
}
