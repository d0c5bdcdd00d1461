import Foundation
import Synchronization

/// The HTTP output's headers and authentication: the part of its settings that
/// a configuration reload (SIGHUP) replaces while requests are in flight.
public final class RequestCredentials: Sendable {
    private struct Current {
        var headers: [(String, String)]
        var auth: HTTPAuth
        var secret: SecretFile?
    }
    private let current: Mutex<Current>

    public init(headers: [(String, String)], auth: HTTPAuth) {
        current = Mutex(Current(headers: headers, auth: auth, secret: Self.secret(for: auth)))
    }

    /// Takes effect from the next request on.
    public func replace(headers: [(String, String)], auth: HTTPAuth) {
        let secret = Self.secret(for: auth)
        current.withLock { $0 = Current(headers: headers, auth: auth, secret: secret) }
    }

    /// The Authorization header (if any) followed by the configured headers.
    func requestHeaders() throws -> [(String, String)] {
        let (headers, auth, secret) = current.withLock { ($0.headers, $0.auth, $0.secret) }
        var out: [(String, String)] = []
        switch auth {
        case .none: break
        case .bearer: out.append(("Authorization", "Bearer \(try secret!.value())"))
        case .splunk: out.append(("Authorization", "Splunk \(try secret!.value())"))
        case .basic(let user, _):
            out.append(("Authorization", "Basic \(Data("\(user):\(try secret!.value())".utf8).base64EncodedString())"))
        }
        return out + headers
    }

    private static func secret(for auth: HTTPAuth) -> SecretFile? {
        switch auth {
        case .none: nil
        case .bearer(let file), .splunk(let file), .basic(_, let file): SecretFile(path: file)
        }
    }
}
