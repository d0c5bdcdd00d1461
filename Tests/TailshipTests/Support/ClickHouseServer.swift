import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Debian's `clickhouse-server`, started for one test on 127.0.0.1 with its own config, data
/// directory and free ports, and queried with Debian's `clickhouse-client` (the native protocol,
/// not the HTTP interface Tailship writes to).
final class ClickHouseServer: @unchecked Sendable {
    let directory: String
    let httpPort = freePort()
    let tcpPort = freePort()
    /// A user with a password, for basic auth.
    let user = "tailship"
    let password = "ch-test-password"
    private var pid: pid_t = -1

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: "\(directory)/data", withIntermediateDirectories: true)
        try config.write(toFile: "\(directory)/config.xml", atomically: true, encoding: .utf8)
        try users.write(toFile: "\(directory)/users.xml", atomically: true, encoding: .utf8)
        try start()
    }

    var url: String { "http://127.0.0.1:\(httpPort)/" }

    /// Starts the server and waits until it answers queries.
    func start() throws {
        pid = spawn(["/usr/sbin/clickhouse-server", "--config-file=\(directory)/config.xml"], output: "\(directory)/stdout.log")
        let deadline = Date().addingTimeInterval(60)
        while pid > 0 && Date() < deadline {
            if (try? query("SELECT 1")) == "1" { return }
            guard kill(pid, 0) == 0 else { break }
            usleep(200_000)
        }
        throw NSError(domain: "ClickHouseServer", code: 1, userInfo: [NSLocalizedDescriptionKey:
            "clickhouse-server did not start; see \(directory)/server.err.log"])
    }

    /// Stops the server (SIGTERM, then SIGKILL after 30 s); the data directory stays.
    func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(30)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 && Date() < deadline { usleep(50_000) }
        if waitpid(pid, &status, WNOHANG) == 0 {
            kill(pid, SIGKILL)
            _ = waitForChild(pid)
        }
        pid = -1
    }

    /// Runs one statement with clickhouse-client; returns its output without the last newline.
    @discardableResult
    func query(_ sql: String) throws -> String {
        let outPath = "\(directory)/client-\(UUID().uuidString.prefix(8)).out"
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        let status = spawnAndWait(["/usr/bin/clickhouse-client", "--host", "127.0.0.1", "--port", "\(tcpPort)", "--query", sql], output: outPath)
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw NSError(domain: "clickhouse-client", code: Int(status), userInfo: [NSLocalizedDescriptionKey: "\(sql): \(output)"])
        }
        return output.hasSuffix("\n") ? String(output.dropLast()) : output
    }

    /// Rows of a SELECT, each decoded from JSONEachRow by Foundation.
    func rows(_ select: String) throws -> [[String: Any]] {
        try query("\(select) FORMAT JSONEachRow").split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    deinit { stop() }

    private var config: String {
        """
        <?xml version="1.0"?>
        <yandex>
            <logger><level>warning</level><log>\(directory)/server.log</log><errorlog>\(directory)/server.err.log</errorlog></logger>
            <http_port>\(httpPort)</http_port>
            <tcp_port>\(tcpPort)</tcp_port>
            <listen_host>127.0.0.1</listen_host>
            <path>\(directory)/data/</path>
            <tmp_path>\(directory)/tmp/</tmp_path>
            <user_files_path>\(directory)/user_files/</user_files_path>
            <format_schema_path>\(directory)/format_schemas/</format_schema_path>
            <users_config>users.xml</users_config>
            <default_profile>default</default_profile>
            <default_database>default</default_database>
            <mark_cache_size>67108864</mark_cache_size>
            <uncompressed_cache_size>67108864</uncompressed_cache_size>
            <timezone>UTC</timezone>
        </yandex>
        """
    }

    private var users: String {
        let user = { (name: String, password: String) in
            "<\(name)><password>\(password)</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></\(name)>"
        }
        return """
        <?xml version="1.0"?>
        <yandex>
            <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
            <users>\(user("default", ""))\(user(self.user, password))</users>
            <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows>
                <read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
        </yandex>
        """
    }
}
