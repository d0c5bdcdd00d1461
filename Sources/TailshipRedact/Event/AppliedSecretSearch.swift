import TailshipJSON

/// In an event of any resource: objects whose last-applied annotation holds a Secret
/// (found only after a byte search said both are in the line).
enum AppliedSecretSearch {
    static func edits(_ p: UnsafePointer<UInt8>, _ object: Range<Int>, _ tokens: TokenMaker, into edits: inout [ValueEdit]) {
        walk(p, object.lowerBound, object.upperBound, tokens, &edits)
    }

    private static func walk(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ tokens: TokenMaker, _ edits: inout [ValueEdit]) {
        switch p[s] {
        case 0x7B:
            _ = JSONScanner.forEachMember(p, s, e) { m in
                if JSONScanner.keyIs(m.key, "metadata", p) {
                    annotations(p, m.valueStart, m.valueEnd, tokens, &edits)
                } else {
                    walk(p, m.valueStart, m.valueEnd, tokens, &edits)
                }
            }
        case 0x5B:
            _ = JSONScanner.forEachElement(p, s, e) { a, b in walk(p, a, b, tokens, &edits) }
        default:
            break
        }
    }

    private static func annotations(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, _ tokens: TokenMaker, _ edits: inout [ValueEdit]) {
        _ = JSONScanner.forEachMember(p, s, e) { m in
            guard JSONScanner.keyIs(m.key, "annotations", p) else { return }
            _ = JSONScanner.forEachMember(p, m.valueStart, m.valueEnd) { a in
                guard p[a.valueStart] == 0x22, a.key.equals(SecretWalk.lastApplied, in: p) else { return }
                edits += AnnotationEdit.edits(p, a.valueStart, a.valueEnd, tokens: tokens, onlySecrets: true)
            }
        }
    }
}
