import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The apiserver's audit webhook, received: an HTTP(S) server on `listen` that appends each
/// valid EventList to the spool and answers 200 once it is synced.
public final class WebhookServer: Sendable {
    public let settings: WebhookSettings
    public let spool: SpoolWriter
    public let stats: WebhookStats
    private let channel: any Channel

    /// Binds at once (a taken port or unreadable certificate fails the start).
    public init(settings: WebhookSettings, spool: SpoolWriter, stats: WebhookStats, logger: Logger) throws {
        let log = WebhookAnswerLog(logger: logger)
        self.settings = settings
        self.spool = spool
        self.stats = stats
        let tls = try settings.tls.map { try NIOSSLContext(configuration: Self.tlsConfiguration($0)) }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(WebhookHandler(settings: settings, spool: spool, stats: stats, log: log))
                }
            }
        do {
            channel = try bootstrap.bind(host: settings.host, port: settings.port).wait()
        } catch {
            throw WebhookStartError("inputs[].webhook.listen \(settings.host):\(settings.port): cannot listen: \(error)")
        }
    }

    static func tlsConfiguration(_ tls: WebhookSettings.TLS) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(tls.certFile)
            key = try NIOSSLPrivateKey(file: tls.keyFile, format: .pem)
        } catch {
            throw WebhookStartError("inputs[].webhook.tls: cannot read \(tls.certFile) or \(tls.keyFile): \(error)")
        }
        var config = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let ca = tls.clientCAFile {
            do {
                config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            } catch {
                throw WebhookStartError("inputs[].webhook.tls.client_ca_file: cannot read \(ca): \(error)")
            }
            config.certificateVerification = .noHostnameVerification
        }
        return config
    }

    /// Where it listens (the real port when 0 was asked for).
    public var address: String {
        guard let a = channel.localAddress, let ip = a.ipAddress, let port = a.port else { return "?" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// Stops listening and closes connections; the spool answers what waits.
    public func close() async {
        try? await channel.close()
        spool.stop()
    }
}

public struct WebhookStartError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
