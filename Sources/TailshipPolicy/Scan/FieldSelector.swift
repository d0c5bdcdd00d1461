/// Kubernetes field selectors (`metadata.name=x,status.phase!=Running`), read as apimachinery's
/// `fields.ParseSelector` reads them: terms split on unescaped commas, the first `!=`, `==` or
/// `=` in a term is its operator, values unescape `\\`, `\,` and `\=`. Only what the policy
/// needs: the value an exact-match term gives a field.
/// (The operator search, like Go's `splitTerm`, does not skip escapes.)
enum FieldSelector {
    /// The value `field` must equal, when a `=`/`==` term names it; nil when none does or the
    /// selector does not parse (the apiserver then ignores it).
    static func exactValue(of field: [UInt8], in selector: [UInt8]) -> [UInt8]? {
        guard let terms = splitTerms(selector) else { return nil }
        var found: [UInt8]?
        for term in terms where !term.isEmpty {
            guard let (lhs, op, rhs) = splitTerm(term), let value = unescape(rhs) else { return nil }
            if found == nil && op != notEqual && lhs == field { found = value }
        }
        return found
    }

    static let notEqual = Array("!=".utf8), doubleEqual = Array("==".utf8), equal = Array("=".utf8)

    /// Splits on commas not escaped by a backslash; nil for a trailing lone backslash.
    static func splitTerms(_ s: [UInt8]) -> [[UInt8]]? {
        var terms: [[UInt8]] = [], current: [UInt8] = [], escaped = false
        for c in s {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == 0x5C {
                current.append(c)
                escaped = true
            } else if c == 0x2C {
                terms.append(current)
                current = []
            } else {
                current.append(c)
            }
        }
        terms.append(current)
        return terms
    }

    /// The first operator in the term: (field, operator, raw value).
    static func splitTerm(_ term: [UInt8]) -> ([UInt8], [UInt8], [UInt8])? {
        for i in term.indices {
            for op in [notEqual, doubleEqual, equal] where term[i...].starts(with: op) {
                return (Array(term[..<i]), op, Array(term[(i + op.count)...]))
            }
        }
        return nil
    }

    /// `\\`, `\,` and `\=` to their characters; any other escape, or a bare `,` or `=`, is an error.
    static func unescape(_ s: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = [], escaped = false
        for c in s {
            if escaped {
                guard c == 0x5C || c == 0x2C || c == 0x3D else { return nil }
                out.append(c)
                escaped = false
            } else if c == 0x5C {
                escaped = true
            } else if c == 0x2C || c == 0x3D {
                return nil
            } else {
                out.append(c)
            }
        }
        return escaped ? nil : out
    }
}
