/// Why a webhook request is refused: the HTTP status and a message naming the problem.
public struct WebhookRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String

    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status): \(message)" }

    static func invalid(_ message: String) -> WebhookRefusal { WebhookRefusal(400, message) }
}
