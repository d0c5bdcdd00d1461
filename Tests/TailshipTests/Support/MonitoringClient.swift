import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Talks to a daemon's monitoring server: plain GETs over a socket, and
/// /metrics parsed by PyPI's prometheus_client (tools/test-receiver/scrape_metrics.py).
struct MonitoringClient {
    let address: String

    struct Sample: Decodable {
        var name: String
        var labels: [String: String]
        var value: Double
        var type: String
    }

    /// The address the daemon logged ("monitoring server listening address=…").
    static func address(of process: TailshipProcess, seconds: Double = 15) async -> MonitoringClient? {
        var found: String?
        _ = await eventually(seconds: seconds) {
            guard let line = process.stderr.split(separator: "\n").first(where: { $0.contains("monitoring server listening") }),
                  let range = line.range(of: "address=") else { return false }
            found = String(line[range.upperBound...].prefix { !$0.isWhitespace })
            return true
        }
        return found.map(MonitoringClient.init)
    }

    var port: UInt16 { UInt16(address.split(separator: ":").last!)! }

    /// (status, body) of GET path; status 0 when the connection failed.
    func get(_ path: String) -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return (0, "") }
        defer { close(fd) }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return (0, "") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n").first else { return (0, "") }
        let parts = statusLine.split(separator: " ")
        let status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    /// Every sample, as prometheus_client parses the exposition text.
    func scrape() throws -> [Sample] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "\(PyReceiver.toolsDirectory)/scrape_metrics.py", "http://\(address)/metrics"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "scrape", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "scrape_metrics.py failed"])
        }
        return try JSONDecoder().decode([Sample].self, from: data)
    }

    /// `promtool check metrics` (Debian's prometheus package) on one /metrics body:
    /// (exit status, what it printed). 0 means the exposition parses and passes its lint.
    func promtoolCheck(in directory: String) throws -> (status: Int32, output: String) {
        let (status, body) = get("/metrics")
        guard status == 200 else { return (-1, "GET /metrics answered \(status)") }
        let path = "\(directory)/metrics-\(UUID().uuidString.prefix(6)).txt"
        try body.write(toFile: path, atomically: true, encoding: .utf8)
        return try runCommand(["sh", "-c", "promtool check metrics < '\(path)'"])
    }
}

extension Array where Element == MonitoringClient.Sample {
    /// The value of the sample with this name and exactly these labels (nil: absent). Without an
    /// `output` label in `labels`, the per-output series of that name are summed over outputs.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        if labels["output"] != nil { return first { $0.name == name && $0.labels == labels }?.value }
        let matching = filter { $0.name == name && $0.labels.filter { $0.key != "output" } == labels }
        return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
    }
}
