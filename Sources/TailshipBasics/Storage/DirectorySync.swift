#if canImport(Glibc)
import Glibc
#endif

/// Makes a rename or create in `directory` durable.
public func fsyncDirectory(_ directory: String) {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
        _ = fsync(fd)
        close(fd)
    }
}
