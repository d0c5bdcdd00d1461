import Foundation
import TailshipRedact

/// `redact:` and `pseudonymize:` resolved: paths parsed, key files named.
extension ResolvedConfig {
    public struct Redaction: Sendable, Equatable {
        public var settings = RedactionSettings()
        public var keyFile = ConfigDefaults.redactKeyName
        /// Not configured: made at first start if missing.
        public var keyFileIsDefault = true
        public var pseudonymKeyFile = ConfigDefaults.pseudonymizeKeyName
        public var pseudonymKeyFileIsDefault = true
        /// `audit_metrics.pseudonymized`: the metrics see the tokens, not the names.
        public var pseudonymizedMetrics = false
    }

    static func resolveRedaction(_ file: ConfigFile, registryPath: String) throws -> Redaction {
        let dir = (registryPath as NSString).deletingLastPathComponent
        let beside = { (name: String) in (dir.isEmpty ? "." : dir) + "/" + name }
        let paths = try parsePaths(file.redact?.paths ?? [], key: "redact.paths")
        let fields = try parsePaths(file.pseudonymize?.fields ?? [], key: "pseudonymize.fields")
        if file.pseudonymize != nil && fields.isEmpty {
            throw ConfigError("pseudonymize.fields", "name at least one field, such as user.username (or remove pseudonymize)")
        }
        var r = Redaction(settings: RedactionSettings(secrets: file.redact?.secrets ?? true, paths: paths, pseudonymize: fields),
                          keyFile: file.redact?.keyFile ?? beside(ConfigDefaults.redactKeyName), keyFileIsDefault: file.redact?.keyFile == nil,
                          pseudonymKeyFile: file.pseudonymize?.keyFile ?? beside(ConfigDefaults.pseudonymizeKeyName),
                          pseudonymKeyFileIsDefault: file.pseudonymize?.keyFile == nil)
        r.pseudonymizedMetrics = file.auditMetrics?.pseudonymized ?? false
        if r.pseudonymizedMetrics && fields.isEmpty {
            throw ConfigError("audit_metrics.pseudonymized", "needs pseudonymize.fields")
        }
        // A key file named in the configuration must be usable now: a start that cannot redact does not start.
        if let path = file.redact?.keyFile, r.settings.secrets || !paths.isEmpty {
            try checkKey(path, key: "redact.key_file")
        }
        if let path = file.pseudonymize?.keyFile { try checkKey(path, key: "pseudonymize.key_file") }
        return r
    }

    private static func parsePaths(_ texts: [String], key: String) throws -> [RedactPath] {
        try texts.enumerated().map { i, text in
            do {
                return try RedactPath(parsing: text)
            } catch {
                throw ConfigError("\(key)[\(i)]", "\"\(text)\": \(error)")
            }
        }
    }

    private static func checkKey(_ path: String, key: String) throws {
        do {
            _ = try KeyFile(path: path)
        } catch {
            throw ConfigError(key, "\(error)")
        }
    }
}
