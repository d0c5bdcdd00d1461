import CInotify
#if canImport(Glibc)
import Glibc
#endif

/// Waits for changes in the followed directories with inotify, falling back
/// to the timeout alone (polling) where inotify is unavailable or a directory
/// does not exist yet. `wake()` interrupts a wait from any thread.
public final class FileWatcher: ChangeWatcher, @unchecked Sendable {
    private let directories: [String]
    private let inotifyFD: Int32
    private let wakeFD: Int32
    private let wakeWriteFD: Int32
    // Only touched on the reader thread: directory by watch descriptor.
    private var watched: [Int32: String] = [:]
    /// Reused for every drain of the inotify queue (a busy log wakes the reader often).
    private var events = [UInt8](repeating: 0, count: 16384)

    public init(directories: [String]) {
        self.directories = directories
        inotifyFD = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        var fds: [Int32] = [-1, -1]
        _ = pipe2(&fds, O_NONBLOCK | O_CLOEXEC)
        wakeFD = fds[0]
        wakeWriteFD = fds[1]
    }

    deinit {
        if inotifyFD >= 0 { close(inotifyFD) }
        if wakeFD >= 0 { close(wakeFD) }
        if wakeWriteFD >= 0 { close(wakeWriteFD) }
    }

    public var usesInotify: Bool { inotifyFD >= 0 }

    /// Blocks up to `timeoutMilliseconds` or until something changed or `wake()` was called.
    /// Returns true if woken by a change or `wake()`.
    @discardableResult
    public func wait(timeoutMilliseconds: Int32) -> Bool {
        addMissingWatches()
        var fds = [pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        let n = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
        guard n > 0 else { return false }
        readEvents()
        drain(wakeFD)
        return true
    }

    public func wake() {
        var one: UInt8 = 1
        _ = write(wakeWriteFD, &one, 1)
    }

    private func addMissingWatches() {
        guard inotifyFD >= 0, watched.count < directories.count else { return }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVE_SELF)
        let current = Set(watched.values)
        for dir in directories where !current.contains(dir) {
            let wd = inotify_add_watch(inotifyFD, dir, mask)
            if wd >= 0 { watched[wd] = dir }
        }
    }

    /// Drains the inotify queue. A watch the kernel dropped (its directory was
    /// deleted or replaced) is forgotten, so the next wait watches the new one.
    private func readEvents() {
        guard inotifyFD >= 0 else { return }
        while true {
            let n = events.withUnsafeMutableBytes { read(inotifyFD, $0.baseAddress!, $0.count) }
            guard n > 0 else { return }
            var i = 0
            let header = MemoryLayout<inotify_event>.size
            while i + header <= n {
                let event = events.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i, as: inotify_event.self) }
                if event.mask & UInt32(IN_IGNORED) != 0 {
                    watched[event.wd] = nil
                } else if event.mask & UInt32(IN_MOVE_SELF) != 0 {
                    // Renamed away: the path is no longer the watched directory.
                    inotify_rm_watch(inotifyFD, event.wd)
                    watched[event.wd] = nil
                }
                i += header + Int(event.len)
            }
        }
    }

    private func drain(_ fd: Int32) {
        guard fd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress!, $0.count) }) > 0 {}
    }
}
