import Foundation

/// Debian's gzip, which Tailship did not write: whether it accepts a file whole.
public enum DebianGzip {
    /// `gzip -t PATH` exits 0: every member's checksum and length check out, nothing torn at the end.
    public static func accepts(_ path: String) throws -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-t", path]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
