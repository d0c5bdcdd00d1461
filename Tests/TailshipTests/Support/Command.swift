import Foundation

/// Runs a program found on PATH to completion: (exit status, stdout and stderr together).
@discardableResult
func runCommand(_ args: [String], environment: [String: String] = [:], directory: String? = nil) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = environment.map { "\($0.key)=\($0.value)" } + args
    if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationStatus, text)
}
