/// The namespace and name the apiserver's policy evaluation saw: what its `RequestInfo` parses
/// from the request's URL, before the handler ran. For a request with a body (a create), the
/// apiserver copies the object's name into `objectRef` only afterwards, so a rule's
/// `resourceNames` never matched it; the URL says what it did see.
///
/// Path: `/api/{version}/…` or `/apis/{group}/{version}/…`, then an optional `watch`/`proxy`
/// segment, then `namespaces/{ns}/{resource}/{name}/{subresource}` or `{resource}/{name}/…`;
/// `namespaces/{name}[/status|/finalize]` is the namespace object itself, its namespace being
/// its name. A `list` or `watch` with no name in the path takes it from an exact
/// `metadata.name` term of `fieldSelector` (`=` or `==`).
public struct RequestTarget: Equatable, Sendable {
    public var namespace: [UInt8]
    public var name: [UInt8]

    public init(namespace: [UInt8], name: [UInt8]) {
        self.namespace = namespace
        self.name = name
    }

    /// nil when `uri` is not a resource request path (the caller then uses `objectRef`).
    public static func parse(uri: some Collection<UInt8>, verb: some Collection<UInt8>) -> RequestTarget? {
        let bytes = Array(uri)
        let queryStart = bytes.firstIndex(of: 0x3F)
        guard let path = URLBytes.percentDecoded(bytes[..<(queryStart ?? bytes.count)], plusIsSpace: false) else { return nil }
        var parts = splitPath(path)
        guard parts.count >= 3, let prefix = parts.first, prefix == api || prefix == apis else { return nil }
        parts.removeFirst()
        if prefix == apis {
            guard parts.count >= 3 else { return nil }
            parts.removeFirst()
        }
        parts.removeFirst() // the version
        guard !parts.isEmpty else { return nil }
        var verbInPath = false
        if parts[0] == watch || parts[0] == proxy {
            guard parts.count >= 2 else { return nil }
            parts.removeFirst()
            verbInPath = true
        }
        var target = RequestTarget(namespace: [], name: [])
        if parts[0] == namespaces, parts.count > 1 {
            target.namespace = parts[1]
            if parts.count > 2 && parts[2] != status && parts[2] != finalize { parts.removeFirst(2) }
        }
        if parts.count >= 2 { target.name = parts[1] }
        let v = Array(verb)
        if target.name.isEmpty && !verbInPath && (v == list || v == watch), let q = queryStart {
            target.name = fieldSelectorName(bytes[(q + 1)...]) ?? []
        }
        return target
    }

    /// Go's splitPath: leading and trailing slashes trimmed, then split on every "/".
    static func splitPath(_ path: [UInt8]) -> [[UInt8]] {
        var s = path[...]
        while s.first == 0x2F { s = s.dropFirst() }
        while s.last == 0x2F { s = s.dropLast() }
        guard !s.isEmpty else { return [] }
        return s.split(separator: 0x2F, omittingEmptySubsequences: false).map(Array.init)
    }

    /// The exact `metadata.name` of the first `fieldSelector` parameter, if it has a valid one.
    static func fieldSelectorName(_ query: ArraySlice<UInt8>) -> [UInt8]? {
        for pair in query.split(separator: 0x26, omittingEmptySubsequences: false) {
            let eq = pair.firstIndex(of: 0x3D) ?? pair.endIndex
            guard URLBytes.percentDecoded(pair[..<eq], plusIsSpace: true) == fieldSelector else { continue }
            guard eq < pair.endIndex, let value = URLBytes.percentDecoded(pair[(eq + 1)...], plusIsSpace: true),
                  let name = FieldSelector.exactValue(of: metadataName, in: value) else { return nil }
            // path.IsValidPathSegmentName: the name must be usable as one path segment.
            if name == [0x2E] || name == [0x2E, 0x2E] || name.contains(0x2F) || name.contains(0x25) { return nil }
            return name
        }
        return nil
    }

    static let api = Array("api".utf8), apis = Array("apis".utf8), watch = Array("watch".utf8), proxy = Array("proxy".utf8)
    static let namespaces = Array("namespaces".utf8), status = Array("status".utf8), finalize = Array("finalize".utf8)
    static let list = Array("list".utf8), fieldSelector = Array("fieldSelector".utf8), metadataName = Array("metadata.name".utf8)
}
