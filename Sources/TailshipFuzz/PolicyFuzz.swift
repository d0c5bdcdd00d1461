import TailshipPolicy

/// Any text is a policy or a `PolicyError` with messages; a loaded policy
/// compiles into a checker.
enum PolicyFuzz {
    static func run(_ data: [UInt8]) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        do {
            let policy = try PolicyLoader.parse(text)
            _ = PolicyProcessor(policy: policy)
        } catch let error as PolicyError {
            if error.messages.isEmpty { return "a PolicyError without a message" }
        } catch {
            return "PolicyLoader threw something other than a PolicyError: \(error)"
        }
        return nil
    }
}
