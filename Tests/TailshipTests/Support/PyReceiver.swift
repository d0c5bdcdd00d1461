import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// tools/test-receiver/receiver.py: a Python standard-library HTTP(S) receiver
/// on 127.0.0.1, scripted per request, recording every request to a file.
final class PyReceiver: @unchecked Sendable {
    static var toolsDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/test-receiver").path
    }

    struct Request {
        var n: Int
        var time: Double
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let process = Process()
    let log: String
    let port: Int
    let tls: Bool

    /// `script`: JSON list of answers by arrival order ({"status", "headers", "body", "delay", "bulk"}).
    /// `failWhile`: a path; while it exists, every request gets 503.
    init(directory: String, script: String = "[]", defaultAnswer: String? = nil,
         cert: String? = nil, key: String? = nil, clientCA: String? = nil, failWhile: String? = nil) throws {
        let id = UUID().uuidString.prefix(6)
        log = "\(directory)/receiver-\(id).jsonl"
        let portFile = "\(directory)/receiver-\(id).port"
        var args = ["\(Self.toolsDirectory)/receiver.py", "--port-file", portFile, "--log", log, "--script", script]
        if let defaultAnswer { args += ["--default", defaultAnswer] }
        if let cert, let key { args += ["--cert", cert, "--key", key] }
        if let clientCA { args += ["--client-ca", clientCA] }
        if let failWhile { args += ["--fail-while", failWhile] }
        tls = cert != nil
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + args
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: portFile) && Date() < deadline { usleep(20_000) }
        guard let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text) else {
            throw NSError(domain: "PyReceiver", code: 1, userInfo: [NSLocalizedDescriptionKey: "receiver.py did not start"])
        }
        port = p
    }

    func url(host: String = "127.0.0.1") -> String { "\(tls ? "https" : "http")://\(host):\(port)/ingest" }

    var requests: [Request] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(n: o["n"] as? Int ?? -1, time: o["t"] as? Double ?? 0, status: o["status"] as? Int ?? 0,
                           headers: o["headers"] as? [String: String] ?? [:],
                           body: Array(Data(base64Encoded: o["body"] as? String ?? "") ?? Data()))
        }.sorted { $0.n < $1.n }
    }

    /// NDJSON lines of accepted requests, in arrival order.
    var acceptedLines: [String] {
        requests.filter { $0.status < 300 }.flatMap { $0.text.split(separator: "\n").map(String.init) }
    }

    deinit {
        // SIGKILL: the test process's blocked signals are inherited, SIGTERM may not arrive.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A test CA, a server certificate for 127.0.0.1/localhost, a client
/// certificate, and an unrelated CA, made with Debian's openssl.
struct TestCertificates {
    let dir: String
    var ca: String { "\(dir)/ca.pem" }
    var otherCA: String { "\(dir)/other-ca.pem" }
    var serverCert: String { "\(dir)/server.pem" }
    var serverKey: String { "\(dir)/server.key" }
    var clientCert: String { "\(dir)/client.pem" }
    var clientKey: String { "\(dir)/client.key" }

    init(in dir: String) throws {
        self.dir = dir
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(["req", "-x509"] + ec + ["-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.pem", "-days", "2", "-subj", "/CN=tailship test CA"])
        try Self.openssl(["req", "-x509"] + ec + ["-keyout", "\(dir)/other-ca.key", "-out", "\(dir)/other-ca.pem", "-days", "2", "-subj", "/CN=some other CA"])
        for (name, ext) in [("server", "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:audit.test\nextendedKeyUsage=serverAuth"),
                            ("client", "extendedKeyUsage=clientAuth")] {
            try Self.openssl(["req"] + ec + ["-keyout", "\(dir)/\(name).key", "-out", "\(dir)/\(name).csr", "-subj", "/CN=\(name)"])
            try ext.write(toFile: "\(dir)/\(name).ext", atomically: true, encoding: .utf8)
            try Self.openssl(["x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", "\(dir)/ca.pem", "-CAkey", "\(dir)/ca.key",
                              "-CAcreateserial", "-out", "\(dir)/\(name).pem", "-days", "2", "-extfile", "\(dir)/\(name).ext"])
        }
    }

    static func openssl(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "openssl", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "openssl \(args.joined(separator: " ")) failed"])
        }
    }
}
