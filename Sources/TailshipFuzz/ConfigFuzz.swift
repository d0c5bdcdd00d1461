import Tailship

/// Any text is a configuration or a `ConfigError` with a message. The policy
/// file is left out (the policy target covers its contents, and the fuzzer
/// should not read arbitrary paths).
enum ConfigFuzz {
    static func run(_ data: [UInt8]) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        do {
            var file = try ResolvedConfig.parse(text)
            file.policy = nil
            let resolved = try ResolvedConfig.resolve(file, overrides: ResolvedConfig.Overrides())
            _ = resolved.describe()
        } catch let error as ConfigError {
            if error.message.isEmpty { return "a ConfigError without a message at \(error.path)" }
        } catch {
            return "the config loader threw something other than a ConfigError: \(error)"
        }
        return nil
    }
}
