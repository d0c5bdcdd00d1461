import TailshipBasics
#if canImport(Glibc)
import Glibc
#endif

/// The real file system, through the system calls.
public struct PosixFileSystem: FileSystem {
    public init() {}

    public func status(_ path: String) -> Result<FileStatus, FileSystemError> {
        var st = stat()
        guard stat(path, &st) == 0 else { return .failure(FileSystemError(errno)) }
        return .success(FileStatus(st))
    }

    public func open(_ path: String) -> Result<any OpenFile, FileSystemError> {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FileSystemError(errno)) }
        return .success(DescriptorFile(fd: fd))
    }

    public func list(_ directory: String) -> [String]? {
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var paths: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { paths.append(String(cString: p)) }
        }
        return paths
    }

    public func watcher(directories: [String]) -> any ChangeWatcher {
        FileWatcher(directories: directories)
    }
}

/// An open descriptor; closed when the last reference goes.
final class DescriptorFile: OpenFile {
    let fd: Int32

    init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    var status: FileStatus? {
        var st = stat()
        return fstat(fd, &st) == 0 ? FileStatus(st) : nil
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Int {
        while true {
            let n = pread(fd, buffer.baseAddress!, buffer.count, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            return n < 0 ? -Int(errno) : n
        }
    }
}

extension FileStatus {
    init(_ st: stat) {
        let type = st.st_mode & S_IFMT
        self.init(identity: FileIdentity(st), kind: type == S_IFREG ? .regular : type == S_IFDIR ? .directory : .other,
                  size: UInt64(st.st_size), modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                  links: UInt64(st.st_nlink))
    }
}
