@testable import Tailship

/// A configuration file's text, parsed and resolved as `tailship run` does (no command-line overrides).
func resolveConfig(_ yaml: String) throws -> ResolvedConfig {
    try ResolvedConfig.resolve(ResolvedConfig.parse(yaml), overrides: .init())
}

/// The error resolving `yaml` gives, as printed; "no error" when it resolves.
func configError(_ yaml: String) -> String {
    do {
        _ = try resolveConfig(yaml)
        return "no error"
    } catch {
        return "\(error)"
    }
}
