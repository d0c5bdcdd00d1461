import Foundation
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// Why a batch was rejected, as stored beside it.
public struct RejectionInfo: Sendable, Codable {
    /// Without any password.
    public var url: String?
    public var status: Int?
    public var reason: String
    /// First 4 KiB of the response body.
    public var response: String?
    /// The response's headers, as received (never the request's: those may hold secrets).
    public var responseHeaders: [[String]]?

    public init(url: String?, status: Int?, reason: String, response: String?, responseHeaders: [[String]]? = nil) {
        self.url = url.map(HTTPSinkOptions.redact)
        self.status = status
        self.reason = reason
        self.response = response.map { String(decoding: Array($0.utf8.prefix(4096)), as: UTF8.self) }
        self.responseHeaders = responseHeaders
    }
}

/// Writes what cannot be shipped to the dead-letter directory, so nothing is
/// dropped silently: rejected batches and lines over `max_line_bytes`.
public struct DeadLetterWriter: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// What is stored beside each dead-lettered batch (`<time>-<key>.json`).
    public struct Metadata: Codable, Sendable {
        public var key: String
        public var time: String
        public var events: Int
        public var rejection: RejectionInfo
        public var files: [FileRange]
    }

    public struct FileRange: Codable, Sendable {
        public var path: String
        public var device: UInt64
        public var inode: UInt64
        public var start: UInt64
        public var end: UInt64
    }

    /// Stores rejected events (NDJSON lines, as read, whatever the output
    /// format, so they can be replayed to any output) as
    /// `<time>-<key>.ndjson.gz` plus `<time>-<key>.json`. Returns the first path.
    public func write(lines: [UInt8], events: Int, key: String, batch: Batch, rejection: RejectionInfo) throws -> String {
        try ensureDirectory()
        let stamp = Self.timestamp()
        let base = "\(directory)/\(stamp)-\(key)"
        try DurableFile.write(try Gzip.compress(lines, level: 6), to: base + ".ndjson.gz")
        let meta = Metadata(key: key, time: stamp, events: events, rejection: rejection,
                            files: batch.segments.map {
                                FileRange(path: $0.path, device: $0.identity.device, inode: $0.identity.inode, start: $0.start, end: $0.end)
                            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
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
    static func timestamp(_ c: CivilTime = .now()) -> String {
        return String(format: "%04d%02d%02dT%02d%02d%02d.%03dZ", c.year, c.month, c.day, c.hour, c.minute, c.second, c.millisecond)
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
    /// Bytes stored so far: a write that failed half way (a full disk) is retried
    /// at this offset, so retrying never leaves a piece twice.
    private var written: Int64 = 0

    init(path: String, source: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DurableFile.error("cannot create", path) }
    }

    deinit { close(fd) }

    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(written) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw DurableFile.error("write failed", path) }
            done += n
        }
        written += Int64(done)
    }

    /// Adds the `\n` and makes the file durable.
    public func finish() throws {
        let nl: [UInt8] = [0x0A]
        let n = nl.withUnsafeBytes { pwrite(fd, $0.baseAddress!, 1, off_t(written)) }
        guard n == 1 else { throw DurableFile.error("write failed", path) }
        written += 1
        guard fsync(fd) == 0 else { throw DurableFile.error("fsync failed", path) }
    }
}
