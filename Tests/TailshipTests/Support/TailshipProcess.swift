import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real `tailship` binary, started as a child process.
final class TailshipProcess: @unchecked Sendable {
    static var binary: String {
        if let fromEnv = ProcessInfo.processInfo.environment["TAILSHIP_BIN"], !fromEnv.isEmpty { return fromEnv }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/tailship").path
    }

    let process = Process()
    let stderrPath: String
    let stdoutPath: String

    /// Starts `tailship ARGS`, its output going to files in `directory`.
    /// `launcher` runs the binary through another program (`setpriv …`), the binary and its arguments appended.
    init(_ arguments: [String], directory: String, name: String = "tailship", environment: [String: String] = [:],
         launcher: [String] = []) throws {
        stdoutPath = "\(directory)/\(name).\(UUID().uuidString.prefix(6)).out"
        stderrPath = stdoutPath.replacingOccurrences(of: ".out", with: ".err")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [Self.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = arguments
        }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    /// Runs to completion and returns (exit status, stdout, stderr).
    static func run(_ arguments: [String], directory: String) throws -> (Int32, String, String) {
        let p = try TailshipProcess(arguments, directory: directory)
        p.process.waitUntilExit()
        return (p.process.terminationStatus, p.stdout, p.stderr)
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits until the daemon runs with its signal handlers installed.
    func ready(seconds: Double = 15) async -> Bool {
        await eventually(seconds: seconds) { stderr.contains("reader started") }
    }

    func signal(_ sig: Int32) {
        kill(process.processIdentifier, sig)
    }

    /// SIGTERM, and the clean exit (status 0 within 15 s) that it must bring.
    func stopCleanly() async {
        signal(SIGTERM)
        #expect(await waitForExit(seconds: 15) == 0)
    }

    /// Waits up to `seconds` for exit; returns the exit status, or nil if still running.
    func waitForExit(seconds: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { return nil }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Polls `condition` until it holds or `seconds` pass; returns whether it held.
func eventually(seconds: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try condition()
}

extension TailshipProcess {
    /// SIGKILLs this daemon and starts `tailship run --config config` again; the new one is ready.
    func killedAndRestarted(config: String, directory: String, name: String) async throws -> TailshipProcess {
        signal(SIGKILL)
        _ = await waitForExit(seconds: 5)
        let next = try TailshipProcess(["run", "--config", config], directory: directory, name: name)
        #expect(await next.ready())
        return next
    }

    /// Sends `signal` and waits for the exit: the status and the seconds it took.
    func exitAfter(_ signal: Int32, seconds: Double = 15) async -> (status: Int32?, seconds: Double) {
        let sent = Date()
        self.signal(signal)
        let status = await waitForExit(seconds: seconds)
        return (status, Date().timeIntervalSince(sent))
    }
}
