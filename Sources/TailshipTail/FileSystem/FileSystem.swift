/// Everything the tail asks of the operating system about files: the driver
/// below the rotation core sees files only through this, so the core and the
/// driver can be run in-process over `MemoryFileSystem`.
public protocol FileSystem: Sendable {
    /// `stat` (following symlinks).
    func status(_ path: String) -> Result<FileStatus, FileSystemError>
    /// Opens for reading; the file stays readable through the handle after it is renamed or deleted.
    func open(_ path: String) -> Result<any OpenFile, FileSystemError>
    /// Names in a directory, or nil if it cannot be read.
    func list(_ directory: String) -> [String]?
    /// Paths matching a shell glob, sorted.
    func glob(_ pattern: String) -> [String]
    /// Something that waits for changes in these directories.
    func watcher(directories: [String]) -> any ChangeWatcher
}

/// A file opened for reading.
public protocol OpenFile: AnyObject {
    /// `fstat`; nil if it fails.
    var status: FileStatus? { get }
    /// `pread`: bytes read into `buffer` (0 at the end), or -errno.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Int
}

/// Waits until something may have changed in the watched directories.
public protocol ChangeWatcher: AnyObject, Sendable {
    /// Whether the kernel tells of changes (else the wait is a plain timeout).
    var usesInotify: Bool { get }
    /// Blocks up to the timeout, or until a change or `wake()`; true if woken.
    @discardableResult
    func wait(timeoutMilliseconds: Int32) -> Bool
    /// Ends a wait from any thread.
    func wake()
}

extension OpenFile {
    /// Up to `limit` first bytes; nil if reading fails.
    public func head(limit: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: limit)
        var got = 0
        while got < limit {
            let n = buffer.withUnsafeMutableBytes { read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got..<limit]), at: UInt64(got)) }
            if n < 0 { return nil }
            if n == 0 { break }
            got += n
        }
        return Array(buffer[0..<got])
    }
}
