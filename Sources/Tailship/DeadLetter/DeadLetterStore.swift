import Foundation
import TailshipShip

/// What the dead-letter directory holds, for `tailship deadletter list|replay`.
public struct DeadLetterStore {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public enum Kind: String, Sendable {
        /// A rejected batch: `<time>-<key>.ndjson.gz` with its `.json`; replayable.
        case batch
        /// One line longer than max_line_bytes.
        case oversizeLine = "oversize-line"
        /// Lines a policy could not read as audit events.
        case invalidLines = "invalid-lines"
    }

    public struct Entry: Sendable {
        public var kind: Kind
        public var path: String
        public var metadataPath: String?
        public var metadata: DeadLetterWriter.Metadata?
        public var bytes: Int
    }

    /// Entries, oldest first (names start with the UTC time).
    public func entries() throws -> [Entry] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        var out: [Entry] = []
        for name in names {
            let path = "\(directory)/\(name)"
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
            if name.hasSuffix(".ndjson.gz") {
                let metaPath = String(path.dropLast(".ndjson.gz".count)) + ".json"
                let meta = (try? Data(contentsOf: URL(fileURLWithPath: metaPath))).flatMap { try? JSONDecoder().decode(DeadLetterWriter.Metadata.self, from: $0) }
                out.append(Entry(kind: .batch, path: path, metadataPath: FileManager.default.fileExists(atPath: metaPath) ? metaPath : nil,
                                 metadata: meta, bytes: size))
            } else if name.hasSuffix(".line") && name.contains("-oversize-") {
                out.append(Entry(kind: .oversizeLine, path: path, bytes: size))
            } else if name.hasSuffix("-invalid-lines.ndjson") {
                out.append(Entry(kind: .invalidLines, path: path, bytes: size))
            }
        }
        return out
    }

    /// One line per entry, for people.
    public static func describe(_ entries: [Entry]) -> String {
        if entries.isEmpty { return "no dead letters\n" }
        var out = ""
        for e in entries {
            let name = (e.path as NSString).lastPathComponent
            switch e.kind {
            case .batch:
                let m = e.metadata
                let status = m?.rejection.status.map { "status \($0)" } ?? "no status"
                out += "\(name)  \(m?.events ?? 0) events  \(status)  \(m?.rejection.reason ?? "(no metadata)")"
                if let files = m?.files, let f = files.first { out += "  from \(f.path) [\(f.start), \(files.last!.end))" }
                out += "\n"
            case .oversizeLine: out += "\(name)  1 line of \(e.bytes) bytes, over max_line_bytes (not replayable)\n"
            case .invalidLines: out += "\(name)  lines that are not audit events, \(e.bytes) bytes (not replayable)\n"
            }
        }
        return out
    }

    public struct ReplayResult: Sendable {
        public var replayed: [String] = []
        public var kept: [(String, String)] = []
    }

    /// Sends each stored batch again through `sink`; removes each one accepted.
    public func replay(with sink: HTTPSink, report: (String) -> Void) async throws -> ReplayResult {
        var result = ReplayResult()
        for e in try entries() where e.kind == .batch {
            let name = (e.path as NSString).lastPathComponent
            let lines: [UInt8]
            do {
                lines = try Gzip.decompress(Array(try Data(contentsOf: URL(fileURLWithPath: e.path))))
            } catch {
                result.kept.append((name, "cannot read: \(error)"))
                report("kept \(name): cannot read it: \(error)")
                continue
            }
            let key = e.metadata?.key ?? String(name.dropLast(".ndjson.gz".count))
            if let problem = try await sink.resend(lines: lines, key: key) {
                result.kept.append((name, problem))
                report("kept \(name): \(problem)")
            } else {
                try FileManager.default.removeItem(atPath: e.path)
                if let m = e.metadataPath { try? FileManager.default.removeItem(atPath: m) }
                result.replayed.append(name)
                report("replayed \(name) (\(e.metadata?.events ?? lines.filter { $0 == 0x0A }.count) events)")
            }
        }
        return result
    }
}
