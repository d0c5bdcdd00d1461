import TailshipJSON
import TailshipBasics

/// What the output formats need from one line: whether it is a JSON object,
/// and a few string fields, found by the audit field scanner (`EventFields`)
/// that the policy uses too.
struct EventLine {
    let fields: EventFields?

    init(_ p: UnsafePointer<UInt8>, _ n: Int) {
        fields = n > 0 ? EventFields.scan(p, n) : nil
    }

    var isObject: Bool { fields != nil }
    var auditID: JSONString? { fields?.auditID }
    var stage: JSONString? { fields?.stage }
    var stageTimestamp: JSONString? { fields?.stageTimestamp }
    var level: JSONString? { fields?.level }
    var verb: JSONString? { fields?.verb }
    var apiGroup: JSONString? { fields?.apiGroup }
    var namespace: JSONString? { fields?.namespace }
    var resource: JSONString? { fields?.resource }

    /// `stageTimestamp` as nanoseconds since the epoch, if present and valid.
    func stageNanoseconds(_ p: UnsafePointer<UInt8>) -> Int64? {
        guard let s = stageTimestamp, !s.escaped else { return nil }
        return RFC3339.nanoseconds(UnsafeRawBufferPointer(start: p + s.start, count: s.count))
    }

    /// The raw (still escaped, so valid inside JSON quotes) bytes of a field.
    func raw(_ s: JSONString?, _ p: UnsafePointer<UInt8>) -> UnsafeRawBufferPointer? {
        guard let s else { return nil }
        return UnsafeRawBufferPointer(start: p + s.start, count: s.count)
    }

    func labelValue(_ field: String, _ p: UnsafePointer<UInt8>) -> String {
        let s: JSONString?
        switch field {
        case "level": s = level
        case "stage": s = stage
        case "verb": s = verb
        case "objectRef.apiGroup": s = apiGroup
        case "objectRef.namespace": s = namespace
        case "objectRef.resource": s = resource
        default: s = nil
        }
        return s?.string(in: p) ?? ""
    }
}
