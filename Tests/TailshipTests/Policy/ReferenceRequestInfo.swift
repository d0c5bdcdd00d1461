import Foundation

/// The namespace and name kube-apiserver's RequestInfo gives a request, restated for the test
/// oracle with Foundation's URL and string functions, apart from Tailship's byte parser:
/// `/api/{v}/…` or `/apis/{g}/{v}/…`; a `watch` or `proxy` segment is the verb; then
/// `namespaces/{ns}/…` (unless the next segment is `status` or `finalize`: then the path is
/// the namespace object itself) and `{resource}/{name}/{subresource}`. A `list` or `watch`
/// sent as GET without a name takes the name of an exact `metadata.name` fieldSelector term.
struct ReferenceRequestInfo: Equatable {
    var namespace = ""
    var name = ""

    /// nil when the URI is not a resource request.
    static func parse(requestURI: String, verb: String) -> ReferenceRequestInfo? {
        let halves = requestURI.components(separatedBy: "?")
        guard let path = halves[0].removingPercentEncoding else { return nil }
        let query = halves.count > 1 ? halves.dropFirst().joined(separator: "?") : ""
        let trimmed = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let all = trimmed.isEmpty ? [] : trimmed.components(separatedBy: "/")
        let skip: Int
        switch all.first {
        case "api" where all.count >= 3: skip = 2
        case "apis" where all.count >= 4: skip = 3
        default: return nil
        }
        var rest = Array(all.dropFirst(skip))
        var verbFromPath = false
        if let first = rest.first, first == "watch" || first == "proxy" {
            guard rest.count > 1 else { return nil }
            rest = Array(rest.dropFirst())
            verbFromPath = true
        }
        var info = ReferenceRequestInfo()
        if rest.count > 1 && rest[0] == "namespaces" {
            info.namespace = rest[1]
            if rest.count > 2 && rest[2] != "status" && rest[2] != "finalize" { rest = Array(rest.dropFirst(2)) }
        }
        if rest.count > 1 { info.name = rest[1] }
        if info.name.isEmpty && !verbFromPath && ["list", "watch"].contains(verb) {
            info.name = selectorName(query) ?? ""
        }
        return info
    }

    /// The exact metadata.name of the first fieldSelector parameter (Go decodes '+' as a space).
    static func selectorName(_ query: String) -> String? {
        var c = URLComponents()
        c.percentEncodedQuery = query.replacingOccurrences(of: "+", with: "%20")
        guard let selector = c.queryItems?.first(where: { $0.name == "fieldSelector" })?.value else { return nil }
        var terms: [String] = [""]
        var backslash = false
        for ch in selector {
            if backslash { backslash = false; terms[terms.count - 1].append(ch); continue }
            if ch == "\\" { backslash = true; terms[terms.count - 1].append(ch); continue }
            if ch == "," { terms.append(""); continue }
            terms[terms.count - 1].append(ch)
        }
        var result: String?
        for term in terms where !term.isEmpty {
            guard let (op, range) = firstOperator(term), let value = unescape(String(term[range.upperBound...])) else { return nil }
            if result == nil && op != "!=" && term[..<range.lowerBound] == "metadata.name" { result = value }
        }
        guard let name = result, name != ".", name != "..", !name.contains("/"), !name.contains("%") else { return nil }
        return name
    }

    /// The earliest operator in a term; where "!=" or "==" starts, it wins over the "=" inside it.
    static func firstOperator(_ term: String) -> (String, Range<String.Index>)? {
        var best: (String, Range<String.Index>)?
        for op in ["!=", "==", "="] {
            guard let r = term.range(of: op) else { continue }
            if let b = best, b.1.lowerBound <= r.lowerBound { continue }
            best = (op, r)
        }
        return best
    }

    static func unescape(_ s: String) -> String? {
        var out = ""
        var backslash = false
        for ch in s {
            if backslash {
                guard "\\,=".contains(ch) else { return nil }
                out.append(ch)
                backslash = false
            } else if ch == "\\" {
                backslash = true
            } else if ch == "," || ch == "=" {
                return nil
            } else {
                out.append(ch)
            }
        }
        return backslash ? nil : out
    }
}
