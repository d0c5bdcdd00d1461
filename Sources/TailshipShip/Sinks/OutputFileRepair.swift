import Foundation
import Logging
import TailshipBasics
import TailshipCompress
#if canImport(Glibc)
import Glibc
#endif

/// A process killed while appending a batch to the file output leaves the start of a gzip
/// member at the end of its newest file. That batch was never acknowledged, so it is sent
/// again; but the torn member would make the whole file unreadable to zcat and to any
/// reader that checks the stream. Before writing, the file sink cuts it back.
enum OutputFileRepair {
    /// The newest output file in `directory`, cut back to its last whole batch if it ends in
    /// one cut short. Damage elsewhere is only reported: cutting there would lose whole batches.
    static func repairNewest(in directory: String, logger: Logger) {
        guard let name = newest(in: directory) else { return }
        let path = "\(directory)/\(name)"
        do {
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64 ?? 0
            let extent = try GzipMembers.extent(ofFile: path)
            switch extent.rest {
            case .none:
                // Created, then stopped before its first batch: an empty file is no valid .gz.
                if size == 0 { try cut(path, to: 0) }
            case .corrupt:
                logger.error("output file is damaged after its whole batches (not a write cut short); left as it is, writing goes on in a new file",
                             metadata: ["output_file": "\(path)", "whole_bytes": "\(extent.whole)", "size": "\(size)"])
            case .cutShort:
                try cut(path, to: extent.whole)
                logger.warning("output file ended in a batch cut short by a stop while writing; cut back to its last whole batch (that batch was not acknowledged and is sent again)",
                               metadata: ["output_file": "\(path)", "cut_bytes": "\(size - extent.whole)", "size": "\(extent.whole)"])
            }
        } catch {
            logger.error("cannot check the newest output file for a batch cut short", metadata: ["output_file": "\(path)", "error": "\(error)"])
        }
    }

    /// Names sort in write order (`FileSink.openNext`).
    static func newest(in directory: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("tailship-") && $0.hasSuffix(".ndjson.gz") }.max()
    }

    private static func cut(_ path: String, to length: UInt64) throws {
        // A file with no whole batch would stay an empty, invalid .gz.
        if length == 0 {
            guard unlink(path) == 0 else { throw DurableFile.error("cannot remove", path) }
            fsyncDirectory((path as NSString).deletingLastPathComponent)
            return
        }
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFile.error("cannot open", path) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0 else { throw DurableFile.error("cannot truncate", path) }
        guard fsync(fd) == 0 else { throw DurableFile.error("fsync failed", path) }
    }
}
