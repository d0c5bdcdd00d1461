/// `inputs[].webhook`: the apiserver's audit webhook received on this node.
public struct WebhookSection: ConfigSection, Sendable {
    /// `HOST:PORT`. Default 127.0.0.1:9765 (this node only).
    public var listen: String?
    /// The URL path the apiserver posts to. Default /audit.
    public var path: String?
    /// Largest body, compressed or not. Default 64MiB.
    public var maxBodyBytes: ByteSize?
    public var spool: SpoolSection?
    public var tls: WebhookTLSSection?
    /// Ship an event that arrives both here and by a file input once. Default false.
    public var dedupeWithFiles: Bool?

    public struct SpoolSection: ConfigSection, Sendable {
        /// Default /var/lib/tailship/spool.
        public var directory: String?
        /// Past this, requests get 429. Default 1GiB.
        public var maxBytes: ByteSize?
        /// Default 64MiB.
        public var segmentBytes: ByteSize?
    }

    public struct WebhookTLSSection: ConfigSection, Sendable {
        public var certFile: String?
        public var keyFile: String?
        /// Require a client certificate signed by this CA.
        public var clientCaFile: String?
    }
}
