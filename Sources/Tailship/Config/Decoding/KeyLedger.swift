import Synchronization

/// Which keys each mapping of the file holds and which of them a property asked
/// for: what is left over after decoding is unknown (a typo, a key of another
/// version), and is an error naming its path.
final class KeyLedger: Sendable {
    private struct Mapping {
        var path: [CodingKey]
        var present: [String]
        var used = Set<String>()
    }

    private let mappings = Mutex<[String: Mapping]>([:])

    /// A mapping at `path` holding `present` keys, as its id.
    func opened(path: [CodingKey], present: [String]) -> String {
        let id = ConfigError.pathString(path)
        mappings.withLock { m in
            if m[id] == nil { m[id] = Mapping(path: path, present: present) }
        }
        return id
    }

    func used(_ key: String, in id: String) {
        mappings.withLock { _ = $0[id]?.used.insert(key) }
    }

    /// The first key no property asked for, in file order, with its path.
    func firstUnknown() -> [CodingKey]? {
        mappings.withLock { m in
            for id in m.keys.sorted() {
                let mapping = m[id]!
                if let key = mapping.present.first(where: { !mapping.used.contains($0) }) {
                    return mapping.path + [AnyKey(stringValue: key)]
                }
            }
            return nil
        }
    }
}
