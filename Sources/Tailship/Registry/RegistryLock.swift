import Foundation
import TailshipTail
#if canImport(Glibc)
import Glibc
#endif

/// One process per registry: a second would commit offsets the first does not
/// know. An exclusive flock on `REGISTRY.lock`, held for the process's life.
public final class RegistryLock: Sendable {
    public let path: String
    private let fd: Int32

    public init(registryPath: String) throws {
        let directory = (registryPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        path = registryPath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw RegistryError(description: "registry lock \(path): cannot open: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw RegistryError(description: "registry \(registryPath) is in use by another tailship process (lock \(path)); stop it first, or give this one its own registry (registry.path, or --registry)")
        }
        self.fd = fd
    }

    deinit {
        close(fd)
    }
}
