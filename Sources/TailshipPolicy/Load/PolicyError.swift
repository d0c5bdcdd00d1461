/// Why a policy file was refused: every problem found, each naming its field
/// (`rules[3].nonResourceURLs[0]: must start with "/"`).
public struct PolicyError: Error, CustomStringConvertible, Sendable {
    public var file: String?
    public var messages: [String]

    public init(file: String? = nil, _ messages: [String]) {
        self.file = file
        self.messages = messages
    }

    public var description: String {
        let head = file.map { "policy \($0): " } ?? "policy: "
        return messages.count == 1 ? head + messages[0] : head + "\(messages.count) problems:\n" + messages.map { "  " + $0 }.joined(separator: "\n")
    }
}
