import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Debian's nginx in front of a test receiver, started for one test with a generated config
/// on a free port: TLS and mutual TLS terminated by nginx, `client_max_body_size` (real 413s),
/// `limit_req` (real 503s). Its access log gives the status of every request it answered.
final class NginxProxy: @unchecked Sendable {
    struct Options {
        var certificates: TestCertificates?
        /// Ask for and verify a client certificate signed by the test CA.
        var requireClientCertificate = false
        var maxBodySize = "10m"
        /// `limit_req` rate (for example "20r/s") and burst; nil: no limit.
        var rate: String?
        var burst = 0
    }

    let directory: String
    let port = freePort()
    let tls: Bool
    private var pid: pid_t = -1

    init(directory: String, upstreamPort: Int, options: Options) throws {
        self.directory = directory
        tls = options.certificates != nil
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.config(directory: directory, port: port, upstream: upstreamPort, options: options)
            .write(toFile: "\(directory)/nginx.conf", atomically: true, encoding: .utf8)
        pid = spawn(["/usr/sbin/nginx", "-p", directory, "-c", "\(directory)/nginx.conf", "-e", "\(directory)/error.log"],
                    output: "\(directory)/stdout.log")
        let deadline = Date().addingTimeInterval(15)
        while !isListening(port) {
            guard Date() < deadline, kill(pid, 0) == 0 else {
                let log = (try? String(contentsOfFile: "\(directory)/error.log", encoding: .utf8)) ?? ""
                throw NSError(domain: "nginx", code: 1, userInfo: [NSLocalizedDescriptionKey: "nginx did not start: \(log)"])
            }
            usleep(20_000)
        }
    }

    var url: String { "\(tls ? "https" : "http")://127.0.0.1:\(port)/ingest" }

    /// The status nginx answered each request with, in order.
    var statuses: [Int] {
        ((try? String(contentsOfFile: "\(directory)/access.log", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int($0.prefix(3)) }
    }

    var errorLog: String { (try? String(contentsOfFile: "\(directory)/error.log", encoding: .utf8)) ?? "" }

    deinit {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        _ = waitForChild(pid)
    }

    private static func config(directory d: String, port: Int, upstream: Int, options o: Options) -> String {
        var server = ["listen 127.0.0.1:\(port)\(o.certificates == nil ? "" : " ssl");", "client_max_body_size \(o.maxBodySize);"]
        if let c = o.certificates {
            server += ["ssl_certificate \(c.serverCert);", "ssl_certificate_key \(c.serverKey);"]
            if o.requireClientCertificate { server += ["ssl_client_certificate \(c.ca);", "ssl_verify_client on;"] }
        }
        var location = ["proxy_pass http://127.0.0.1:\(upstream);", "proxy_http_version 1.1;", "proxy_set_header Connection \"\";"]
        if o.rate != nil { location.insert("limit_req zone=perip\(o.burst > 0 ? " burst=\(o.burst) nodelay" : "");", at: 0) }
        // Workers run as root when the tests do: the temporary directories are 0700.
        return """
        daemon off;
        worker_processes 1;
        \(getuid() == 0 ? "user root;" : "")
        pid \(d)/nginx.pid;
        error_log \(d)/error.log warn;
        events { worker_connections 256; }
        http {
          log_format status '$status $request_length';
          access_log \(d)/access.log status;
          client_body_temp_path \(d)/body; proxy_temp_path \(d)/proxy; fastcgi_temp_path \(d)/fastcgi;
          uwsgi_temp_path \(d)/uwsgi; scgi_temp_path \(d)/scgi;
          \(o.rate.map { "limit_req_zone $binary_remote_addr zone=perip:1m rate=\($0);" } ?? "")
          server {
            \(server.joined(separator: "\n    "))
            location / {
              \(location.joined(separator: "\n      "))
            }
          }
        }
        """
    }
}
