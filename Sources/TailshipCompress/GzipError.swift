public struct GzipError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Decompressed data past the caller's limit (a gzip bomb, or a body over its size limit).
public struct GzipLimitExceeded: Error, CustomStringConvertible, Sendable {
    public let limit: Int
    public var description: String { "decompressed data exceeds \(limit) bytes" }
}
