import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct RegistryError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// Loads and atomically saves the registry file: temp file, fsync, rename,
/// fsync of the directory, so a crash leaves either the old or the new copy.
public struct RegistryStore: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    var temporaryPath: String { path + ".tmp" }

    /// The saved registry, or nil when none was ever written.
    /// A file that exists but cannot be read is an error, never an empty registry.
    public func load() throws -> RegistryDocument? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RegistryError(description: "registry \(path): cannot read: \(error.localizedDescription)")
        }
        let document: RegistryDocument
        do {
            document = try JSONDecoder().decode(RegistryDocument.self, from: data)
        } catch {
            throw RegistryError(description: "registry \(path) is corrupt (\(Self.reason(error))); refusing to start rather than re-send or skip data. Restore it, or move it away to read every file from the beginning again")
        }
        guard document.version == RegistryDocument.currentVersion else {
            throw RegistryError(description: "registry \(path) has version \(document.version); this tailship reads version \(RegistryDocument.currentVersion)")
        }
        return document
    }

    public func save(_ document: RegistryDocument) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(document)
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        try writeAll(data, to: temporaryPath)
        guard rename(temporaryPath, path) == 0 else {
            throw RegistryError(description: "registry \(path): rename failed: \(String(cString: strerror(errno)))")
        }
        fsyncDirectory(directory.isEmpty ? "." : directory)
    }

    private func writeAll(_ data: Data, to file: String) throws {
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw RegistryError(description: "registry \(file): cannot create: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw RegistryError(description: "registry \(file): write failed: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
        guard fsync(fd) == 0 else {
            throw RegistryError(description: "registry \(file): fsync failed: \(String(cString: strerror(errno)))")
        }
    }

    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        case DecodingError.keyNotFound(let k, _): return "missing key \(k.stringValue)"
        case DecodingError.typeMismatch(_, let c): return c.debugDescription
        case DecodingError.valueNotFound(_, let c): return c.debugDescription
        default: return "\(error)"
        }
    }
}

/// Makes a rename or create in `directory` durable.
public func fsyncDirectory(_ directory: String) {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
        _ = fsync(fd)
        close(fd)
    }
}
