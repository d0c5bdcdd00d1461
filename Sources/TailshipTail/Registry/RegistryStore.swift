import TailshipBasics
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct RegistryError: Error, CustomStringConvertible {
    public let description: String
    /// The file exists but does not hold a valid registry (as opposed to an I/O error).
    public let isCorruption: Bool
    /// The problem without advice, to build on.
    public let reason: String

    public init(description: String, corruption: Bool = false, reason: String? = nil) {
        self.description = description
        isCorruption = corruption
        self.reason = reason ?? description
    }
}

/// Loads and atomically saves the registry file: temp file, fsync, rename,
/// fsync of the directory, so a crash leaves either the old or the new copy.
/// The copy being replaced is kept as `REGISTRY.prev`, the fallback when the
/// registry itself turns out corrupt.
public struct RegistryStore: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    var temporaryPath: String { path + ".tmp" }
    public var previousPath: String { path + ".prev" }

    /// `load()` for the daemon: when the registry is corrupt, the previous good
    /// copy is used and the corrupt file is moved aside; `recovered` says so,
    /// for a loud log line. With no good copy either, the error names the way out.
    public func loadRecovering(now: Double = Date().timeIntervalSince1970) throws -> (document: RegistryDocument?, recovered: String?) {
        let failure: RegistryError
        do {
            return (try load(), nil)
        } catch let error as RegistryError where error.isCorruption {
            failure = error
        }
        let previous = RegistryStore(path: previousPath)
        guard FileManager.default.fileExists(atPath: previousPath), let document = try? previous.load() else {
            throw RegistryError(description: "\(failure.reason); there is no good previous copy (\(previousPath)). Refusing to start rather than re-send or skip data: restore the file, or start over with `tailship run --registry-reset` (every file is read again from the beginning, so events already shipped are sent again)", corruption: true)
        }
        let aside = "\(path).corrupt-\(Int(now))"
        _ = rename(path, aside)
        return (document, "\(failure.reason); using the previous good copy \(previousPath) instead (the corrupt file is kept as \(aside)). Lines acknowledged after that copy was written will be sent again")
    }

    /// `--registry-reset`: moves the registry and its previous copy aside, so
    /// that every file is read from the beginning. Returns where the old one went.
    public func reset(now: Double = Date().timeIntervalSince1970) -> String? {
        unlink(previousPath)
        unlink(temporaryPath)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let aside = "\(path).reset-\(Int(now))"
        return rename(path, aside) == 0 ? aside : nil
    }

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
        return try Self.decode(data, path: path)
    }

    /// Parses and checks a registry file's bytes (version, checksum). Pure, so the fuzzer can call it.
    public static func decode(_ data: Data, path: String) throws -> RegistryDocument {
        var document: RegistryDocument
        do {
            document = try JSONDecoder().decode(RegistryDocument.self, from: data)
        } catch {
            let reason = "registry \(path) is corrupt (\(Self.reason(error)))"
            throw corrupt(reason)
        }
        guard document.version == RegistryDocument.currentVersion else {
            throw RegistryError(description: "registry \(path) has version \(document.version); this tailship reads version \(RegistryDocument.currentVersion)")
        }
        if let stored = document.checksum {
            document.checksum = nil
            guard try checksum(document) == stored else {
                let reason = "registry \(path) is corrupt (its checksum does not match its contents)"
                throw corrupt(reason)
            }
        }
        return document
    }

    private static func corrupt(_ reason: String) -> RegistryError {
        RegistryError(description: "\(reason); refusing to start rather than re-send or skip data. Restore it, or start over with `tailship run --registry-reset` (every file is read again from the beginning)", corruption: true, reason: reason)
    }

    public static func encode(_ document: RegistryDocument) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(document)
    }

    static func checksum(_ document: RegistryDocument) throws -> String {
        let data = try encode(document)
        return RegistryEntry.hex(data.withUnsafeBytes { FNV1a.hash($0) })
    }

    public func save(_ document: RegistryDocument) throws {
        var document = document
        document.checksum = nil
        document.checksum = try Self.checksum(document)
        let data = try Self.encode(document)
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        try writeAll(data, to: temporaryPath)
        // Keep the copy being replaced (a hard link, then a rename: atomic) as the fallback.
        let previousTemporary = previousPath + ".tmp"
        unlink(previousTemporary)
        if link(path, previousTemporary) == 0 {
            _ = rename(previousTemporary, previousPath)
        }
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
