import TailshipJSON

/// Where a Secret's values are inside a request or response object of a `secrets` event:
/// under `data` and `stringData` of the Secret itself, of each item of a list, of a watch
/// event's or a table row's object (any depth; `metadata` is not searched but for its
/// last-applied annotation), and in the `value` of JSON-patch operations on those paths.
struct SecretWalk {
    let p: UnsafePointer<UInt8>
    let tokens: TokenMaker
    var edits: [ValueEdit] = []

    static let lastApplied = Array("kubectl.kubernetes.io/last-applied-configuration".utf8)
    static let patchPathOfLastApplied = Array("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration".utf8)
    static let dataPath = Array("/data".utf8), stringDataPath = Array("/stringData".utf8)
    static let underData = Array("/data/".utf8), underStringData = Array("/stringData/".utf8)

    mutating func value(_ s: Int, _ e: Int) {
        switch p[s] {
        case 0x7B: object(s, e)
        case 0x5B: _ = JSONScanner.forEachElement(p, s, e) { a, b in value(a, b) }
        default: break
        }
    }

    private mutating func object(_ s: Int, _ e: Int) {
        var patchPath: JSONString?
        var patchValue: (Int, Int)?
        _ = JSONScanner.forEachMember(p, s, e) { m in
            if JSONScanner.keyIs(m.key, "data", p) || JSONScanner.keyIs(m.key, "stringData", p) {
                everyMember(m.valueStart, m.valueEnd)
            } else if JSONScanner.keyIs(m.key, "metadata", p) {
                metadata(m.valueStart, m.valueEnd)
            } else if JSONScanner.keyIs(m.key, "path", p) {
                patchPath = JSONScanner.string(p, m)
            } else if JSONScanner.keyIs(m.key, "value", p) {
                patchValue = (m.valueStart, m.valueEnd)
            } else {
                value(m.valueStart, m.valueEnd)
            }
        }
        guard let (vs, ve) = patchValue else { return }
        guard let path = patchPath else { return value(vs, ve) }
        // A JSON patch (RFC 6902) operation.
        let text = path.escaped ? path.decoded(in: p) : Array(UnsafeBufferPointer(start: p + path.start, count: path.count))
        if text == Self.dataPath || text == Self.stringDataPath {
            everyMember(vs, ve)
        } else if text.starts(with: Self.underData) || text.starts(with: Self.underStringData) {
            edits.append(tokens.redaction(p, vs, ve))
        } else if text == Self.patchPathOfLastApplied, p[vs] == 0x22 {
            edits += AnnotationEdit.edits(p, vs, ve, tokens: tokens)
        } else {
            value(vs, ve)
        }
    }

    /// Every value of an object (`data`); anything else but null is replaced whole.
    private mutating func everyMember(_ s: Int, _ e: Int) {
        switch p[s] {
        case 0x7B: _ = JSONScanner.forEachMember(p, s, e) { m in edits.append(tokens.redaction(p, m.valueStart, m.valueEnd)) }
        case 0x6E: break  // null
        default: edits.append(tokens.redaction(p, s, e))
        }
    }

    private mutating func metadata(_ s: Int, _ e: Int) {
        _ = JSONScanner.forEachMember(p, s, e) { m in
            guard JSONScanner.keyIs(m.key, "annotations", p) else { return }
            _ = JSONScanner.forEachMember(p, m.valueStart, m.valueEnd) { a in
                guard p[a.valueStart] == 0x22, a.key.equals(Self.lastApplied, in: p) else { return }
                edits += AnnotationEdit.edits(p, a.valueStart, a.valueEnd, tokens: tokens)
            }
        }
    }
}
