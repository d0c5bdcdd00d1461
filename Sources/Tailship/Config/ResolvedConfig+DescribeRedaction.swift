import Foundation

extension ResolvedConfig {
    /// `redact:` and `pseudonymize:` as they will run, with where each key comes from.
    func describeRedaction() -> String {
        let r = redaction
        var out = "redact:\n  secrets: \(r.settings.secrets)\n"
        if !r.settings.paths.isEmpty { out += "  paths: [\(r.settings.paths.map { quote($0.description) }.joined(separator: ", "))]\n" }
        if r.settings.secrets || !r.settings.paths.isEmpty { out += "  key_file: \(quote(r.keyFile))\(keyNote(r.keyFile, isDefault: r.keyFileIsDefault))\n" }
        if !r.settings.pseudonymize.isEmpty {
            out += "pseudonymize:\n  fields: [\(r.settings.pseudonymize.map { quote($0.description) }.joined(separator: ", "))]\n"
            out += "  key_file: \(quote(r.pseudonymKeyFile))\(keyNote(r.pseudonymKeyFile, isDefault: r.pseudonymKeyFileIsDefault))\n"
        }
        return out
    }

    private func keyNote(_ path: String, isDefault: Bool) -> String {
        guard isDefault else { return "" }
        return FileManager.default.fileExists(atPath: path) ? "  # made at an earlier start" : "  # made at first start (0600)"
    }
}
