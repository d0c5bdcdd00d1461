/// A configuration problem, with the path of the key at fault (`output.http.url`).
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var message: String

    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    /// Turns a decoding failure into a message naming the key path.
    static func from(_ error: Error) -> ConfigError {
        switch error {
        case let e as ConfigError:
            return e
        case DecodingError.dataCorrupted(let c):
            // Yams reports YAML syntax errors with an empty path and the parser's text.
            return ConfigError(pathString(c.codingPath), c.codingPath.isEmpty ? "not valid YAML: \(underlying(c))" : c.debugDescription)
        case DecodingError.typeMismatch(let type, let c):
            return ConfigError(pathString(c.codingPath), "expected \(describe(type))")
        case DecodingError.valueNotFound(let type, let c):
            return ConfigError(pathString(c.codingPath), "expected \(describe(type)), found nothing")
        case DecodingError.keyNotFound(let key, let c):
            return ConfigError(pathString(c.codingPath + [key]), "required")
        default:
            return ConfigError("", "not valid YAML: \(error)")
        }
    }

    static func pathString(_ path: [CodingKey]) -> String {
        var out = ""
        for key in path {
            if let i = key.intValue {
                out += "[\(i)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }

    private static func underlying(_ c: DecodingError.Context) -> String {
        if let u = c.underlyingError { return "\(u)" }
        return c.debugDescription
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "a whole number"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [String].Type: return "a list of strings"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "a mapping" }
            return "a mapping"
        }
    }
}
