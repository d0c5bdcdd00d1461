import Foundation
import TailshipJSON
import TailshipPolicy
import TailshipRedact

/// What the daemon does to a line before batching it, in its order: the policy (which may
/// drop or reduce), redaction, pseudonymisation, enrichment. `policy test --apply` prints it.
final class ApplyChain {
    private let processor: PolicyProcessor?
    private let redactor: EventRedactor?
    private let enricher: Enricher?
    private var members: [JSONMember] = []
    private var buffer: [UInt8] = []

    init(policy: AuditPolicy?, config: ResolvedConfig?) throws {
        processor = policy.map { PolicyProcessor(policy: $0) }
        enricher = config?.enrichment.map(Enricher.init)
        guard let config, config.redaction.settings.isActive else {
            redactor = nil
            return
        }
        let r = config.redaction
        // Only read here: a key is made by the daemon's first start, not by a test.
        let key = try Self.key(r.keyFile, isDefault: r.keyFileIsDefault, name: "redact.key_file")
        let pseudonymKey = r.settings.pseudonymize.isEmpty ? nil
            : try Self.key(r.pseudonymKeyFile, isDefault: r.pseudonymKeyFileIsDefault, name: "pseudonymize.key_file")
        redactor = EventRedactor(settings: r.settings, redactionKey: key.key, pseudonymKey: pseudonymKey.map { $0.key })
    }

    private static func key(_ path: String, isDefault: Bool, name: String) throws -> KeyFile {
        do {
            return try KeyFile(path: path)
        } catch {
            let advice = isDefault ? " (it is made at the daemon's first start; start it once, or set \(name))" : ""
            throw ConfigError(name, "\(error)\(advice)")
        }
    }

    /// The line as it would be shipped, or nil when it would not be; `offset`: where it starts (add_source).
    func apply(_ line: UnsafeRawBufferPointer, source: String, offset: UInt64, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var current = line
        var memberCount: Int?
        if let processor {
            let v = processor.process(line)
            switch v.action {
            case .drop: return
            case .reduce: buffer = processor.output
            case .keep, .invalid: buffer = Array(line)
            }
            memberCount = processor.lastFields == nil ? nil : processor.lastMemberCount
        } else {
            buffer = Array(line)
        }
        try buffer.withUnsafeBytes { kept in
            current = kept
            if let redactor, redactor.process(kept) {
                try redactor.output.withUnsafeBytes { try enrich($0, memberCount: memberCount, source: source, offset: offset, body) }
            } else {
                try enrich(current, memberCount: memberCount, source: source, offset: offset, body)
            }
        }
    }

    private func enrich(_ line: UnsafeRawBufferPointer, memberCount known: Int?, source: String, offset: UInt64,
                        _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard let enricher, let p = line.baseAddress?.assumingMemoryBound(to: UInt8.self),
              let fields = EventFields.scan(p, line.count, members: &members), fields.tailshipMember == nil,
              enricher.enrich(line, memberCount: known ?? members.count, file: source, offset: offset) else {
            return try body(line)
        }
        try enricher.output.withUnsafeBytes { try body($0) }
    }
}
