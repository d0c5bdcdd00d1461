import Foundation
import TailshipTail
#if canImport(Glibc)
import Glibc
#endif

/// Why a batch was rejected, as stored beside it.
public struct RejectionInfo: Sendable, Codable {
    public var url: String?
    public var status: Int?
    public var reason: String
    /// First 4 KiB of the response body.
    public var response: String?

    public init(url: String?, status: Int?, reason: String, response: String?) {
        self.url = url
        self.status = status
        self.reason = reason
        self.response = response
    }
}

/// Writes what cannot be shipped to the dead-letter directory, so nothing is
/// dropped silently: rejected batches and lines over `max_line_bytes`.
public struct DeadLetterWriter: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    struct Metadata: Codable {
        var key: String
        var time: String
        var events: Int
        var rejection: RejectionInfo
        var files: [FileRange]
    }

    struct FileRange: Codable {
        var path: String
        var device: UInt64
        var inode: UInt64
        var start: UInt64
        var end: UInt64
    }

    /// Stores a rejected batch as `<time>-<key>.ndjson.gz` plus `<time>-<key>.json`.
    public func write(_ payload: Payload, rejection: RejectionInfo) throws -> String {
        try ensureDirectory()
        let stamp = Self.timestamp()
        let key = payload.batch.idempotencyKey
        let base = "\(directory)/\(stamp)-\(key)"
        try DurableFile.write(try payload.gzippedBody(), to: base + ".ndjson.gz")
        let meta = Metadata(key: key, time: stamp, events: payload.batch.events, rejection: rejection,
                            files: payload.batch.segments.map {
                                FileRange(path: $0.path, device: $0.identity.device, inode: $0.identity.inode, start: $0.start, end: $0.end)
                            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try DurableFile.write(Array(try encoder.encode(meta)), to: base + ".json")
        fsyncDirectory(directory)
        return base + ".ndjson.gz"
    }

    /// Starts a file for one oversize line, streamed as it is read.
    public func openOversize(path: String, identity: FileIdentity, sequence: Int) throws -> DeadLetterLineFile {
        try ensureDirectory()
        let name = "\(directory)/\(Self.timestamp())-oversize-\(identity.device)-\(identity.inode)-\(sequence).line"
        return try DeadLetterLineFile(path: name, source: path)
    }

    func ensureDirectory() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// UTC time that sorts as text: 20261126T215332.123Z.
    static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = tv.tv_sec
        var tmv = tm()
        gmtime_r(&t, &tmv)
        return String(format: "%04d%02d%02dT%02d%02d%02d.%03dZ", tmv.tm_year + 1900, tmv.tm_mon + 1, tmv.tm_mday,
                      tmv.tm_hour, tmv.tm_min, tmv.tm_sec, Int(tv.tv_usec / 1000))
    }

    /// Starts the file that lines a policy could not read go to (`policy_on_invalid: dead-letter`).
    public func openInvalidLines() throws -> DeadLetterLineFile {
        try ensureDirectory()
        return try DeadLetterLineFile(path: "\(directory)/\(Self.timestamp())-invalid-lines.ndjson", source: "")
    }
}

/// A dead-letter file written line by line: each line in pieces (`append`),
/// then `finish` adds its newline and makes it durable before it is committed.
public final class DeadLetterLineFile {
    public let path: String
    private let fd: Int32

    init(path: String, source: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DurableFile.error("cannot create", path) }
    }

    deinit { close(fd) }

    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        try DurableFile.writeAll(fd: fd, bytes, path: path)
    }

    /// Adds the `\n` and makes the file durable.
    public func finish() throws {
        let nl: [UInt8] = [0x0A]
        try nl.withUnsafeBytes { try DurableFile.writeAll(fd: fd, $0, path: path) }
        guard fsync(fd) == 0 else { throw DurableFile.error("fsync failed", path) }
    }
}
