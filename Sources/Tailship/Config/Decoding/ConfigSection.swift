/// A mapping of the configuration file. Its Swift properties are camelCase and
/// decoded by the synthesized `init(from:)`; `StrictDecoder` maps each to its
/// snake_case YAML key (`deadLetter` ↔ `dead_letter`) and rejects keys no
/// property asked for, naming their path.
public protocol ConfigSection: Decodable {}

enum ConfigKeyName {
    /// `maxLineBytes` → `max_line_bytes`: the one place property names become YAML keys.
    static func yaml(_ property: String) -> String {
        var out = ""
        for c in property {
            if c.isUppercase {
                out += "_" + c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }
}

/// A coding key for any string: the keys as they are written in the file.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}
