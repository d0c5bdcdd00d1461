/// One `"key": value` member of a JSON object, as byte offsets in the line.
public struct JSONMember: Sendable {
    /// The key's opening quote.
    public var keyStart: Int
    public var key: JSONString
    public var valueStart: Int
    /// One past the value's last byte.
    public var valueEnd: Int

    public init(keyStart: Int, key: JSONString, valueStart: Int, valueEnd: Int) {
        self.keyStart = keyStart
        self.key = key
        self.valueStart = valueStart
        self.valueEnd = valueEnd
    }
}
