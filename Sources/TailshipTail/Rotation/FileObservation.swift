import TailshipBasics

/// A file as the driver found it on disk, before the core decides about it.
struct FileState: Hashable, Sendable {
    var identity: FileIdentity
    var size: UInt64
    var modified: Int64

    /// Modification time in seconds.
    var modifiedSeconds: Double { Double(modified) / 1e9 }

    init(_ status: FileStatus) {
        identity = status.identity
        size = status.size
        modified = status.modified
    }
}

/// What was observed about a file the core decides whether to open: its
/// identity, size and time, where it was found, whether a .gz is a complete
/// gzip stream and its decompressed length, and its first bytes (decompressed
/// for a .gz, and only once it is complete).
struct FileObservation: Sendable {
    var path: String
    var state: FileState
    /// Found as a rotated copy (a backup) rather than at a live path.
    var foundAsBackup: Bool
    var compressed: Bool
    /// For a .gz: every member's CRC and length checked out to the end of the file. Always true for a plain file.
    var gzipComplete = true
    /// Bytes of content: the size of a plain file, the decompressed length of a .gz (as far as it is readable).
    var contentLength: UInt64
    /// First bytes, up to `Fingerprint.maxLength`; empty for an incomplete .gz.
    var head: [UInt8]

    var identity: FileIdentity { state.identity }
    /// Never written again: a backup or any .gz.
    var isBackup: Bool { foundAsBackup || compressed }
}

/// A file the core does not read now, kept while the file is unchanged so it
/// is not looked into again on every pass.
enum SetAsideFile: Sendable {
    /// Decided against (shipped, history, a twin's content), with the registry
    /// entry it belongs to.
    case decided(FileState, entry: FileIdentity?)
    /// A .gz without a valid end yet (still being written).
    case incomplete(FileState)
    /// A plain backup too short to identify: size when first seen at it, since when (monotonic).
    case settling(size: UInt64, since: Double)
}
