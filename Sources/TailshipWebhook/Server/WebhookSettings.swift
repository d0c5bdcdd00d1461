/// One `inputs[].webhook` entry, resolved.
public struct WebhookSettings: Sendable, Equatable {
    public struct TLS: Sendable, Equatable {
        public var certFile: String
        public var keyFile: String
        /// When set, a client certificate signed by this CA is required (the apiserver's
        /// kubeconfig `client-certificate`).
        public var clientCAFile: String?

        public init(certFile: String, keyFile: String, clientCAFile: String?) {
            self.certFile = certFile
            self.keyFile = keyFile
            self.clientCAFile = clientCAFile
        }
    }

    public var host: String
    public var port: Int
    public var path: String
    public var maxBodyBytes: Int
    public var spool: SpoolSettings
    public var tls: TLS?
    /// Ship an event that also arrives by a file input once (by auditID and stage).
    public var dedupeWithFiles: Bool

    public init(host: String, port: Int, path: String, maxBodyBytes: Int, spool: SpoolSettings, tls: TLS?, dedupeWithFiles: Bool) {
        self.host = host
        self.port = port
        self.path = path
        self.maxBodyBytes = maxBodyBytes
        self.spool = spool
        self.tls = tls
        self.dedupeWithFiles = dedupeWithFiles
    }
}
