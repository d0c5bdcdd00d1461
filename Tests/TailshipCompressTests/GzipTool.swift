import Foundation

/// Debian's gzip, an implementation Tailship did not write: `gzip -t` and `gzip -dc` on a file.
enum GzipTool {
    /// Exit status and standard output of `gzip ARGS`.
    static func run(_ args: [String]) throws -> (status: Int32, output: Data) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, data)
    }

    /// Whether `gzip -t` accepts `bytes`, and what `gzip -dc` makes of them.
    static func check(_ bytes: [UInt8], in dir: String) throws -> (valid: Bool, decompressed: [UInt8]) {
        let path = "\(dir)/body-\(UUID().uuidString).gz"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let test = try run(["-t", path])
        let decoded = try run(["-dc", path])
        return (test.status == 0, Array(decoded.output))
    }

    /// `gzip -LEVEL -c` of `bytes`: a stream Tailship did not write.
    static func compress(_ bytes: [UInt8], level: Int, in dir: String) throws -> [UInt8] {
        let path = "\(dir)/plain-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return Array(try run(["-\(level)", "-c", path]).output)
    }
}
