/// How the tailer reports what it does, without importing a metrics library.
public protocol TailObserver: Sendable {
    func bytesRead(_ count: Int)
    func fileOpened(path: String)
    func fileClosed(path: String)
    func fileTruncated(path: String)
    func readError(path: String, errno: Int32)
    /// A file vanished before all of it was shipped.
    func fileLost(path: String, unshippedBytes: UInt64?)
    /// A file waited because `max_open_files` were open.
    func openFilesLimited()
    /// A .gz could not be read to a valid end (yet).
    func gzipIncomplete(path: String)
    /// A .gz was given up on: corrupt, or deleted before it was whole.
    func gzipAbandoned(path: String)
    /// A .gz that is not whole was not read: its content is read, or was shipped, from its plain original.
    func incompleteCopySkipped(path: String, reason: String)
    /// Bytes on disk in open files not yet read (alert on it before the apiserver deletes backups).
    func backlog(bytes: UInt64)
}

extension TailObserver {
    public func bytesRead(_ count: Int) {}
    public func fileOpened(path: String) {}
    public func fileClosed(path: String) {}
    public func fileTruncated(path: String) {}
    public func readError(path: String, errno: Int32) {}
    public func fileLost(path: String, unshippedBytes: UInt64?) {}
    public func openFilesLimited() {}
    public func gzipIncomplete(path: String) {}
    public func gzipAbandoned(path: String) {}
    public func incompleteCopySkipped(path: String, reason: String) {}
    public func backlog(bytes: UInt64) {}
}

public struct NoTailObserver: TailObserver {
    public init() {}
}
