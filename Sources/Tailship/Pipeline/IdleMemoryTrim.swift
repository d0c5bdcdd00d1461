import TailshipBasics
import TailshipTail
#if canImport(Glibc)
import Glibc
#endif

/// Gives memory back once the daemon has been idle for a while: this
/// binary's own read-only pages (`MADV_PAGEOUT`). A static Swift binary is ~40 MiB of code and
/// tables, of which start-up (argument parsing, configuration, service
/// set-up) touches many megabytes once; without this they stay resident
/// for the life of the process. The pages the idle loop needs fault back in
/// from the page cache. Reader thread only.
final class IdleMemoryTrim {
    private let idleSeconds: Double
    private var lastActivity = monotonicSeconds()
    private var trimmed = false

    init(idleSeconds: Double = 10) {
        self.idleSeconds = idleSeconds
    }

    /// Called once per reader pass with whether the pass did any work.
    func pass(active: Bool) {
        let now = monotonicSeconds()
        if active {
            lastActivity = now
            trimmed = false
        } else if !trimmed && now - lastActivity >= idleSeconds {
            trimmed = true
            Self.trim()
        }
    }

    static func trim() {
        // MADV_PAGEOUT (Linux 5.4); older kernels answer EINVAL and nothing changes.
        let madvPageout: Int32 = 21
        for (start, length) in ownReadOnlyMappings() {
            _ = madvise(UnsafeMutableRawPointer(bitPattern: start), length, madvPageout)
        }
    }

    /// The executable's file-backed mappings that are not writable, from /proc/self/maps.
    static func ownReadOnlyMappings() -> [(UInt, Int)] {
        var exe = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &exe, exe.count - 1)
        guard n > 0, let maps = fopen("/proc/self/maps", "r") else { return [] }
        defer { fclose(maps) }
        let path = String(decoding: exe[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var result: [(UInt, Int)] = []
        var line = [CChar](repeating: 0, count: 8192)
        while fgets(&line, Int32(line.count), maps) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5].hasPrefix(path), !fields[1].contains("w") else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let lo = UInt(range[0], radix: 16), let hi = UInt(range[1], radix: 16), hi > lo else { continue }
            result.append((lo, Int(hi - lo)))
        }
        return result
    }
}
