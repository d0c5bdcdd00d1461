import Foundation
import Logging
import TailshipBasics
import TailshipCompress
#if canImport(Glibc)
import Glibc
#endif

/// Appends each batch as one gzip member to `tailship-<UTC time>.ndjson.gz`,
/// starting a new file past `maxFileBytes`. Files are 0600 and fsynced before
/// a batch counts as delivered; their names sort in write order.
public actor FileSink: OrderedSink {
    public let directory: String
    public let maxFileBytes: Int
    private let logger: Logger
    private var fd: Int32 = -1
    private var currentPath = ""
    private var currentSize = 0
    /// Milliseconds since the epoch in the last file's name.
    private var lastMillis: Int64 = 0
    /// Whether the newest file left by an earlier process was checked for a batch cut short.
    private var tailChecked = false

    /// gzip level of the stored files (they are always gzip).
    public let level: Int32
    /// Which library compresses them.
    public let engine: CompressionEngine

    private let stats: ShipStats?

    public init(directory: String, maxFileBytes: Int, level: Int32 = 1, engine: CompressionEngine = .zlib,
                stats: ShipStats? = nil, logger: Logger) {
        self.engine = engine
        self.directory = directory
        self.stats = stats
        self.maxFileBytes = maxFileBytes
        self.level = level
        self.logger = logger
    }

    /// Compresses outside the actor, then appends.
    public nonisolated func deliver(_ batch: Batch) async throws -> Delivery {
        try await store(try await prepare(batch), of: batch)
    }

    /// One gzip member; runs outside the actor, so batches compress in parallel.
    public nonisolated func prepare(_ batch: Batch) async throws -> [UInt8] {
        try Gzip.compress(batch.body, level: level, engine: engine)
    }

    public func store(_ prepared: [UInt8], of batch: Batch) async throws -> Delivery {
        try await store(prepared)
    }

    private func store(_ bytes: [UInt8]) async throws -> Delivery {
        var attempt = 0
        while true {
            do {
                let start = ContinuousClock.now
                try append(bytes)
                stats?.sendDuration.record(duration: ContinuousClock.now - start)
                return .acknowledged
            } catch {
                // A full or failing disk: keep the batch and try again; never drop it.
                attempt += 1
                stats?.retries.add(1, ordering: .relaxed)
                logger.error("file output failed; will retry", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                // A file that never got a whole batch would be an empty, invalid .gz.
                if fd >= 0 && currentSize == 0 { unlink(currentPath) }
                closeCurrent()
                try await Task.sleep(for: .seconds(min(30, attempt)))
            }
        }
    }

    public func shutdown() async {
        closeCurrent()
    }

    private func append(_ bytes: [UInt8]) throws {
        if !tailChecked {
            OutputFileRepair.repairNewest(in: directory, logger: logger)
            tailChecked = true
        }
        if fd < 0 || (currentSize > 0 && currentSize + bytes.count > maxFileBytes) {
            closeCurrent()
            try openNext()
        }
        let start = lseek(fd, 0, SEEK_END)
        do {
            try bytes.withUnsafeBytes { try DurableFile.writeAll(fd: fd, $0, path: currentPath) }
            guard fsync(fd) == 0 else { throw DurableFile.error("fsync failed", currentPath) }
        } catch {
            // Leave no half member behind: the retry writes the batch whole.
            if start >= 0 { _ = ftruncate(fd, start) }
            throw error
        }
        currentSize += bytes.count
    }

    private func openNext() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        // A file rolled within the same millisecond (or after the clock stepped back) is named
        // one millisecond after the previous one, so names always sort in write order.
        let millis = max(UTCTime.nowNanoseconds() / 1_000_000, lastMillis + 1)
        let time = CivilTime(epochSeconds: millis / 1000, nanosecond: Int(millis % 1000) * 1_000_000)
        let name = "tailship-\(DeadLetterWriter.timestamp(time)).ndjson.gz"
        let path = "\(directory)/\(name)"
        let newFD = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard newFD >= 0 else { throw DurableFile.error("cannot create", path) }
        fsyncDirectory(directory)
        fd = newFD
        currentPath = path
        currentSize = 0
        lastMillis = millis
        logger.info("writing output file", metadata: ["output_file": "\(path)"])
    }

    private func closeCurrent() {
        if fd >= 0 { close(fd) }
        fd = -1
    }
}
