import Foundation
import Logging
import Synchronization
import TailshipBasics
import TailshipShip
import TailshipTail
#if canImport(Glibc)
import Glibc
#endif

/// The batches handed to the HTTP output and not yet acknowledged, one JSON line
/// each, appended before the batch is sent and synced with each registry write
/// (`<registry>.batches`).
/// After a crash the reader cuts the same lines into the same batches again, so a
/// receiver that saw a batch sees the same bytes under the same key, never its
/// lines re-cut into other batches. Rewritten with only what is still pending
/// at start and whenever it grows past `compactBytes`.
final class BatchJournal: Sendable {
    let path: String
    private struct State {
        var fd: Int32
        var pending: [String: RecordedBatch] = [:]
        var order: [String] = []
        var bytes = 0
    }
    private let state: Mutex<State>
    private let logger: Logger
    static let compactBytes = 1 << 20

    /// HTTP batches carry keys a receiver may deduplicate by, so they are journalled; file output needs none.
    /// `<registry>.batches` for the `default` output (as before outputs had names), else `<registry>.<name>.batches`.
    static func forOutput(_ config: ResolvedConfig, name: String, logger: Logger) -> BatchJournal? {
        guard case .http = config.output else { return nil }
        return BatchJournal(registryPath: config.registryPath, name: name, logger: logger)
    }

    init(registryPath: String, name: String = ResolvedConfig.defaultOutputName, logger: Logger) {
        path = registryPath + (name == ResolvedConfig.defaultOutputName ? "" : ".\(name)") + ".batches"
        self.logger = logger
        state = Mutex(State(fd: -1))
    }

    /// The recorded batches whose lines the registry has not committed, oldest first;
    /// the journal is rewritten with only them.
    func load(pendingIn registry: Registry) -> [RecordedBatch] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let decoder = JSONDecoder()
        var records: [RecordedBatch] = []
        // A torn last line (a crash while appending) was never sent: it does not parse and is left out.
        for line in text.split(separator: "\n") {
            guard let r = try? decoder.decode(RecordedBatch.self, from: Data(line.utf8)), let last = r.ranges.last else { continue }
            guard let entry = Self.entry(for: last, in: registry), entry.offset < last.end else { continue }
            if !records.contains(where: { $0.key == r.key }) { records.append(r) }
        }
        state.withLock { s in
            for r in records { s.pending[r.key] = r; s.order.append(r.key) }
            rewrite(&s)
        }
        if !records.isEmpty {
            logger.info("batches in flight at the last stop are sent again as they were", metadata: ["batches": "\(records.count)"])
        }
        return records
    }

    /// The registry's entry for a recorded range's file: by identity, or by its content (a file
    /// now tracked as the `.gz` it was compressed into while Tailship was down).
    static func entry(for range: RecordedBatch.Range, in registry: Registry) -> RegistryEntry? {
        if let entry = registry.entry(for: range.identity) { return entry }
        guard let content = range.content else { return nil }
        return registry.entries.first { $0.fingerprintLength >= Fingerprint.distinguishingLength && $0.fingerprintValue?.hash == content }
    }

    /// Appends the batch and syncs before it is sent.
    func record(_ batch: Batch) {
        let record = RecordedBatch(batch)
        guard var line = try? JSONEncoder().encode(record) else { return }
        line.append(0x0A)
        state.withLock { s in
            guard s.pending[record.key] == nil else { return }
            s.pending[record.key] = record
            s.order.append(record.key)
            if s.fd < 0 || s.bytes > Self.compactBytes { rewrite(&s) }
            // write(2) alone: in the page cache, the record outlives a crash of this process
            // (SIGKILL, the OOM killer); `sync()` makes it survive the machine's, once per
            // registry flush, not once per batch (a sync per batch cost 10 % of the HTTP run).
            let ok = line.withUnsafeBytes { write(s.fd, $0.baseAddress, $0.count) == $0.count }
            if ok { s.bytes += line.count } else {
                logger.warning("cannot record a batch before sending it; after a crash it may be sent again cut differently",
                               metadata: ["journal": "\(path)", "error": "\(String(cString: strerror(errno)))"])
            }
        }
    }

    /// Makes the records so far durable (called with every registry write).
    func sync() {
        state.withLock { s in if s.fd >= 0 { _ = fdatasync(s.fd) } }
    }

    /// Acknowledged: no longer needed after a crash.
    func acknowledged(_ batch: Batch) {
        let key = batch.idempotencyKey
        state.withLock { s in
            guard s.pending.removeValue(forKey: key) != nil else { return }
            if let i = s.order.firstIndex(of: key) { s.order.remove(at: i) }
        }
    }

    /// Replaces the file with the pending records (temp file, fsync, rename).
    private func rewrite(_ s: inout State) {
        let encoder = JSONEncoder()
        var data = Data()
        for key in s.order { if let r = s.pending[key], let line = try? encoder.encode(r) { data.append(line); data.append(0x0A) } }
        let temp = path + ".tmp"
        if s.fd >= 0 { close(s.fd) }
        s.fd = -1
        do {
            try DurableFile.write(Array(data), to: temp)
            guard rename(temp, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
            fsyncDirectory((path as NSString).deletingLastPathComponent)
        } catch {
            logger.warning("cannot rewrite the batch journal", metadata: ["journal": "\(path)", "error": "\(error)"])
        }
        s.fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        s.bytes = data.count
    }
}
