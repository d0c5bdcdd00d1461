import Foundation
import TailshipCompress

/// How the HTTP output connects, authenticates, encodes, sends and retries.
public struct HTTPSinkOptions: Sendable, Equatable {
    public var url: String
    /// Seconds for one request, connection included.
    public var timeout: Double
    /// Extra headers, `${ENV}` already expanded (values are secrets: never printed).
    public var headers: [(String, String)]
    /// Seconds; the first retry waits up to this long.
    public var initialBackoff: Double
    /// Seconds; no wait between retries is longer, Retry-After included.
    public var maxBackoff: Double
    /// Attempts per request before the batch is dead-lettered; nil: retry for ever.
    public var maxAttempts: Int?
    /// Requests at once; offsets are still committed in order.
    public var maxInFlight: Int
    public var maxBodyBytes: Int
    public var format: OutputFormat
    /// zlib level, or nil to send uncompressed.
    public var compressionLevel: Int32?
    /// Which library compresses the bodies (`output.compression_engine`, resolved).
    public var compressionEngine: CompressionEngine
    public var tls: TLSOptions
    public var auth: HTTPAuth
    /// Lines a JSON body format cannot carry (see `NonItemAction`).
    public var nonItems: NonItemAction = .deadLetter

    public init(url: String, timeout: Double = 30, headers: [(String, String)] = [], initialBackoff: Double = 0.5, maxBackoff: Double = 30,
                maxAttempts: Int? = nil, maxInFlight: Int = 2, maxBodyBytes: Int = 10 << 20, format: OutputFormat = .ndjson,
                compressionLevel: Int32? = 1, compressionEngine: CompressionEngine = .zlib, tls: TLSOptions = TLSOptions(),
                auth: HTTPAuth = .none) {
        self.url = url
        self.timeout = timeout
        self.headers = headers
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxAttempts = maxAttempts
        self.maxInFlight = maxInFlight
        self.maxBodyBytes = maxBodyBytes
        self.format = format
        self.compressionLevel = compressionLevel
        self.compressionEngine = compressionEngine
        self.tls = tls
        self.auth = auth
    }

    public static func == (a: HTTPSinkOptions, b: HTTPSinkOptions) -> Bool {
        a.url == b.url && a.timeout == b.timeout && a.headers.elementsEqual(b.headers, by: { $0 == $1 }) && a.initialBackoff == b.initialBackoff
            && a.maxBackoff == b.maxBackoff && a.maxAttempts == b.maxAttempts && a.maxInFlight == b.maxInFlight && a.maxBodyBytes == b.maxBodyBytes
            && a.format == b.format && a.compressionLevel == b.compressionLevel
            && a.compressionEngine == b.compressionEngine && a.tls == b.tls && a.auth == b.auth && a.nonItems == b.nonItems
    }

    /// Wait before retry number `attempt` (0-based): exponential with full
    /// jitter (uniform between 0 and the ceiling), so that shippers recovering
    /// together spread out instead of sending in step.
    public func backoff(attempt: Int) -> Double {
        let ceiling = min(maxBackoff, initialBackoff * Double(1 << min(attempt, 30)))
        return Double.random(in: 0...ceiling)
    }

    /// 408, 429 and 5xx but 501 are worth another try; any other 4xx, and 501, never will succeed.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (status >= 500 && status != 501) || status < 200
    }

    /// A URL with any password replaced, for logs and dead-letter metadata.
    public static func redact(_ url: String) -> String {
        guard var c = URLComponents(string: url), c.password != nil else { return url }
        c.password = "redacted"
        return c.string ?? url
    }
}

/// `output.http.tls`.
public struct TLSOptions: Sendable, Equatable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    /// Name to verify (and send as SNI) instead of the URL's host.
    public var serverName: String?
    public var insecureSkipVerify = false

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, serverName: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// `output.http.auth`, and Splunk's token: secrets read from files, re-read when the file changes.
public enum HTTPAuth: Sendable, Equatable {
    case none
    case bearer(tokenFile: String)
    case basic(username: String, passwordFile: String)
    case splunk(tokenFile: String)
}
