import Foundation
import Logging
import TailshipRedact

/// Redaction and pseudonymisation as the daemon runs them: the settings, and the key files
/// read at start (a default one made first if missing). Each reader thread gets its own
/// `EventRedactor`; a key file changed on disk is used from the next value on.
final class RedactionRuntime: Sendable {
    let settings: RedactionSettings
    let key: KeyFile
    let pseudonymKey: KeyFile?
    let pseudonymizedMetrics: Bool

    /// nil when nothing is redacted or pseudonymised. Throws when a key cannot be read or made.
    static func start(_ config: ResolvedConfig.Redaction, logger: Logger) throws -> RedactionRuntime? {
        guard config.settings.isActive else { return nil }
        let key = try keyFile(config.keyFile, isDefault: config.keyFileIsDefault, what: "redaction", logger: logger)
        let pseudonymKey = config.settings.pseudonymize.isEmpty ? nil
            : try keyFile(config.pseudonymKeyFile, isDefault: config.pseudonymKeyFileIsDefault, what: "pseudonymisation", logger: logger)
        return RedactionRuntime(settings: config.settings, key: key, pseudonymKey: pseudonymKey, pseudonymizedMetrics: config.pseudonymizedMetrics)
    }

    init(settings: RedactionSettings, key: KeyFile, pseudonymKey: KeyFile?, pseudonymizedMetrics: Bool) {
        self.settings = settings
        self.key = key
        self.pseudonymKey = pseudonymKey
        self.pseudonymizedMetrics = pseudonymizedMetrics
    }

    /// A redactor for one reader thread: redaction, then pseudonymisation.
    func redactor() -> EventRedactor {
        EventRedactor(settings: settings, redactionKey: key.key, pseudonymKey: pseudonymKey.map { $0.key })
    }

    /// The pseudonymisation alone, for audit metrics that count tokens instead of names.
    func metricsPseudonymizer() -> EventRedactor? {
        guard pseudonymizedMetrics, let pseudonymKey else { return nil }
        return EventRedactor(settings: RedactionSettings(secrets: false, pseudonymize: settings.pseudonymize),
                             redactionKey: key.key, pseudonymKey: pseudonymKey.key)
    }

    private static func keyFile(_ path: String, isDefault: Bool, what: String, logger: Logger) throws -> KeyFile {
        do {
            if isDefault {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                if try KeyFile.generateIfMissing(path) {
                    logger.notice("made a \(what) key (keep it: another key gives other tokens)", metadata: ["key_file": "\(path)"])
                }
            }
            return try KeyFile(path: path) { problem in
                logger.error("\(what) key file changed but cannot be used; the last good key stays", metadata: ["problem": "\(problem)"])
            }
        } catch {
            throw RedactionStartError(description: "cannot start without the \(what) key: \(error)")
        }
    }
}

struct RedactionStartError: Error, CustomStringConvertible {
    let description: String
}
