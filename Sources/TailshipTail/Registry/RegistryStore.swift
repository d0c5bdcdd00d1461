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
    public func loadRecovering(now: Double = Date().timeIntervalSince1970) throws -> (document: RegistrySet?, recovered: String?) {
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
    public func load() throws -> RegistrySet? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RegistryError(description: "registry \(path): cannot read: \(error.localizedDescription)")
        }
        return try Self.decode(data, path: path)
    }

    /// Parses and checks a registry file's bytes (version, checksum): version 2, or version 1
    /// read as `legacy`. Pure, so the fuzzer can call it.
    public static func decode(_ data: Data, path: String) throws -> RegistrySet {
        struct Versioned: Decodable { var version: Int }
        let version: Int
        do {
            version = try JSONDecoder().decode(Versioned.self, from: data).version
        } catch {
            throw corrupt("registry \(path) is corrupt (\(Self.reason(error)))")
        }
        switch version {
        case RegistryDocument.currentVersion:
            var document = try decodeChecked(RegistryDocument.self, data, path: path) { $0.checksum } clear: { $0.checksum = nil }
            document.checksum = nil
            return RegistrySet(migrating: document)
        case RegistrySet.currentVersion:
            return try decodeChecked(RegistrySet.self, data, path: path) { $0.checksum } clear: { $0.checksum = nil }
        default:
            throw RegistryError(description: "registry \(path) has version \(version); this tailship reads versions 1 and \(RegistrySet.currentVersion)")
        }
    }

    /// Decodes, then compares the stored checksum with the contents' own (the checksum left out).
    private static func decodeChecked<T: Codable>(_ type: T.Type, _ data: Data, path: String, checksum: (T) -> String?,
                                                 clear: (inout T) -> Void) throws -> T {
        var value: T
        do {
            value = try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw corrupt("registry \(path) is corrupt (\(Self.reason(error)))")
        }
        if let stored = checksum(value) {
            clear(&value)
            guard try Self.checksum(value) == stored else {
                throw corrupt("registry \(path) is corrupt (its checksum does not match its contents)")
            }
        }
        return value
    }

    private static func corrupt(_ reason: String) -> RegistryError {
        RegistryError(description: "\(reason); refusing to start rather than re-send or skip data. Restore it, or start over with `tailship run --registry-reset` (every file is read again from the beginning)", corruption: true, reason: reason)
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    static func checksum<T: Encodable>(_ value: T) throws -> String {
        let data = try encode(value)
        return RegistryEntry.hex(data.withUnsafeBytes { FNV1a.hash($0) })
    }

    /// Writes version 2; a version-1 set read (`legacy`) must have been given to its outputs first.
    public func save(_ set: RegistrySet) throws {
        var set = set
        set.version = RegistrySet.currentVersion
        set.legacy = nil
        for name in set.outputs.keys { set.outputs[name]?.checksum = nil }
        set.checksum = nil
        set.checksum = try Self.checksum(set)
        let data = try Self.encode(set)
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
