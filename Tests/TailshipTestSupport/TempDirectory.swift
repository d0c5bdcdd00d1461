import Foundation

/// A fresh directory under /tmp, removed when the test is done with it.
public final class TempDirectory: Sendable {
    public let path: String

    public init() {
        var template = Array("/tmp/tailship-test-XXXXXX".utf8CString)
        path = String(cString: mkdtemp(&template)!)
    }

    deinit {
        // TAILSHIP_KEEP_TEST_DIRS=1 keeps them, to read a failing run's logs.
        if ProcessInfo.processInfo.environment["TAILSHIP_KEEP_TEST_DIRS"] == nil {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }
}
