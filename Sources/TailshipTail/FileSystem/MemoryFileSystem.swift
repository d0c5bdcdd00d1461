import Synchronization
import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// A file system in memory with POSIX's semantics where following files
/// depends on them: inodes outlive their names while open, renames replace
/// their target, freed inode numbers are reused (lowest first, as ext4 often
/// does), and times come from a clock the test sets. For the in-process model
/// test of the rotation core; every method is safe from any thread.
public final class MemoryFileSystem: FileSystem {
    final class Inode: @unchecked Sendable {
        let number: UInt64
        var bytes: [UInt8] = []
        var modified: Int64
        var links = 1
        var handles = 0

        init(number: UInt64, modified: Int64) {
            self.number = number
            self.modified = modified
        }
    }

    struct State {
        var names: [String: Inode] = [:]
        var free: [UInt64] = []
        var next: UInt64 = 2
        var now: Int64 = 1_795_651_200_000_000_000
        var reused = 0
    }

    let state = Mutex(State())
    public static let device: UInt64 = 1

    public init() {}

    /// The clock that modification times come from.
    public func advanceClock(nanoseconds: Int64) {
        state.withLock { $0.now += nanoseconds }
    }

    // MARK: Writers' operations

    /// Appends to `path`, creating it if needed (O_APPEND|O_CREAT).
    public func append(_ bytes: [UInt8], to path: String) {
        state.withLock { s in
            let inode = s.names[path] ?? Self.create(path, in: &s)
            inode.bytes += bytes
            inode.modified = s.now
        }
    }

    /// Creates an empty file at `path`, or empties the one there (O_CREAT|O_TRUNC).
    public func create(_ path: String) {
        state.withLock { s in
            if let inode = s.names[path] {
                inode.bytes = []
                inode.modified = s.now
            } else {
                _ = Self.create(path, in: &s)
            }
        }
    }

    /// `truncate(path, size)`.
    public func truncate(_ path: String, to size: Int) {
        state.withLock { s in
            guard let inode = s.names[path] else { return }
            inode.bytes = Array(inode.bytes.prefix(size))
            inode.modified = s.now
        }
    }

    /// `rename(from, to)`: `to` is replaced if it exists.
    public func rename(_ from: String, to: String) {
        state.withLock { s in
            guard let inode = s.names.removeValue(forKey: from) else { return }
            if let replaced = s.names[to] { Self.unlink(replaced, in: &s) }
            s.names[to] = inode
        }
    }

    /// `unlink(path)`.
    public func remove(_ path: String) {
        state.withLock { s in
            guard let inode = s.names.removeValue(forKey: path) else { return }
            Self.unlink(inode, in: &s)
        }
    }

    /// The bytes at `path`, if it exists.
    public func contents(_ path: String) -> [UInt8]? {
        state.withLock { $0.names[path]?.bytes }
    }

    /// How many files were created on a freed inode number.
    public var inodesReused: Int { state.withLock { $0.reused } }

    /// Every path, sorted.
    public var paths: [String] { state.withLock { $0.names.keys.sorted() } }

    private static func create(_ path: String, in s: inout State) -> Inode {
        let number: UInt64
        if s.free.isEmpty {
            number = s.next
            s.next += 1
        } else {
            number = s.free.removeFirst()
            s.reused += 1
        }
        let inode = Inode(number: number, modified: s.now)
        s.names[path] = inode
        return inode
    }

    private static func unlink(_ inode: Inode, in s: inout State) {
        inode.links -= 1
        if inode.links == 0 && inode.handles == 0 { release(inode.number, in: &s) }
    }

    fileprivate static func release(_ number: UInt64, in s: inout State) {
        s.free.append(number)
        s.free.sort()
    }

    fileprivate func closed(_ inode: Inode) {
        state.withLock { s in
            inode.handles -= 1
            if inode.links == 0 && inode.handles == 0 { Self.release(inode.number, in: &s) }
        }
    }

    static func status(of inode: Inode) -> FileStatus {
        FileStatus(identity: FileIdentity(device: device, inode: inode.number), kind: .regular, size: UInt64(inode.bytes.count),
                   modified: inode.modified, links: UInt64(max(0, inode.links)))
    }

    // MARK: FileSystem

    public func status(_ path: String) -> Result<FileStatus, FileSystemError> {
        state.withLock { s in
            if let inode = s.names[path] { return .success(Self.status(of: inode)) }
            let prefix = path.hasSuffix("/") ? path : path + "/"
            if s.names.keys.contains(where: { $0.hasPrefix(prefix) }) {
                return .success(FileStatus(identity: FileIdentity(device: Self.device, inode: 1), kind: .directory, size: 0, modified: 0, links: 1))
            }
            return .failure(FileSystemError(ENOENT))
        }
    }

    public func open(_ path: String) -> Result<any OpenFile, FileSystemError> {
        state.withLock { s in
            guard let inode = s.names[path] else { return .failure(FileSystemError(ENOENT)) }
            inode.handles += 1
            return .success(MemoryOpenFile(inode: inode, fileSystem: self))
        }
    }

    public func list(_ directory: String) -> [String]? {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let names = state.withLock { s in
            s.names.keys.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }.map { String($0.dropFirst(prefix.count)) }
        }
        return names.isEmpty ? nil : names
    }

    public func glob(_ pattern: String) -> [String] {
        paths.filter { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }
    }

    public func watcher(directories: [String]) -> any ChangeWatcher {
        ImmediateWatcher()
    }
}

/// A handle on an in-memory inode: reads what the inode holds now, whatever its name.
final class MemoryOpenFile: OpenFile {
    let inode: MemoryFileSystem.Inode
    let fileSystem: MemoryFileSystem

    init(inode: MemoryFileSystem.Inode, fileSystem: MemoryFileSystem) {
        self.inode = inode
        self.fileSystem = fileSystem
    }

    deinit {
        fileSystem.closed(inode)
    }

    var status: FileStatus? {
        fileSystem.state.withLock { _ in MemoryFileSystem.status(of: inode) }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Int {
        fileSystem.state.withLock { _ in
            let bytes = inode.bytes
            guard offset < UInt64(bytes.count) else { return 0 }
            let n = min(buffer.count, bytes.count - Int(offset))
            bytes.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + Int(offset), byteCount: n)
            }
            return n
        }
    }
}

/// Never waits: the in-process driver decides when to look again.
final class ImmediateWatcher: ChangeWatcher, Sendable {
    var usesInotify: Bool { false }
    func wait(timeoutMilliseconds: Int32) -> Bool { false }
    func wake() {}
}
