import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TailshipShip

/// A real HTTP receiver on 127.0.0.1 for integration tests. It decompresses
/// gzip bodies and keeps them in arrival order; `respond` picks each status.
final class TestReceiver: Sendable {
    struct Request: Sendable {
        var headers: [(String, String)]
        var body: [UInt8]
        var status: Int

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    private struct State {
        var requests: [Request] = []
        var server: Channel?
        var children: [ObjectIdentifier: Channel] = [:]
        /// Requests received and not yet answered, now and at most.
        var open = 0
        var mostOpen = 0
    }

    private let state = Mutex(State())
    let port: Int
    let respond: @Sendable (Int) -> (status: Int, body: String)
    /// False: bodies answered with anything but 2xx are not kept (long outages).
    let keepsRefusedBodies: Bool
    /// How long each answer is held back (without blocking the event loop).
    let holdAnswers: TimeAmount?

    /// Starts on a free port (or `port`).
    init(port: Int = 0, keepsRefusedBodies: Bool = true, holdAnswers: TimeAmount? = nil,
         respond: @escaping @Sendable (Int) -> (status: Int, body: String) = { _ in (200, "{}") }) async throws {
        self.respond = respond
        self.keepsRefusedBodies = keepsRefusedBodies
        self.holdAnswers = holdAnswers
        let channel = try await Self.bind(port: port, receiver: nil)
        self.port = channel.localAddress!.port!
        try await channel.close()
        try await start()
    }

    func start() async throws {
        let channel = try await Self.bind(port: port, receiver: self)
        state.withLock { $0.server = channel }
    }

    /// Stops listening and drops every open connection.
    func stop() async {
        let (server, children) = state.withLock { s -> (Channel?, [Channel]) in
            defer { s.server = nil; s.children = [:] }
            return (s.server, Array(s.children.values))
        }
        try? await server?.close()
        for child in children { try? await child.close() }
    }

    var url: String { "http://127.0.0.1:\(port)/ingest" }

    var requests: [Request] { state.withLock { $0.requests } }

    /// The most requests that were received and not yet answered at one time.
    var mostConcurrent: Int { state.withLock { $0.mostOpen } }

    /// Bodies of the requests answered 2xx, concatenated in arrival order.
    var acceptedBytes: [UInt8] {
        state.withLock { $0.requests.filter { (200..<300).contains($0.status) }.flatMap(\.body) }
    }

    var acceptedLines: [String] {
        acceptedBytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
    }

    fileprivate func record(head: HTTPRequestHead, body: [UInt8]) -> (Int, String) {
        let gz = head.headers["content-encoding"].first == "gzip"
        let decoded = gz ? ((try? Gzip.decompress(body)) ?? []) : body
        return state.withLock { s in
            let (status, text) = respond(s.requests.count)
            let kept = keepsRefusedBodies || (200..<300).contains(status) ? decoded : []
            s.requests.append(Request(headers: head.headers.map { ($0.name, $0.value) }, body: kept, status: status))
            s.open += 1
            s.mostOpen = max(s.mostOpen, s.open)
            return (status, text)
        }
    }

    fileprivate func answered() {
        state.withLock { $0.open -= 1 }
    }

    fileprivate func track(_ channel: Channel) {
        state.withLock { $0.children[ObjectIdentifier(channel)] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.state.withLock { _ = $0.children.removeValue(forKey: ObjectIdentifier(channel)) }
        }
    }

    private static func bind(port: Int, receiver: TestReceiver?) async throws -> Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    if let receiver {
                        receiver.track(channel)
                        try channel.pipeline.syncOperations.addHandler(ReceiverHandler(receiver: receiver))
                    }
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }
}

private final class ReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let receiver: TestReceiver
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(receiver: TestReceiver) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            let (status, text) = receiver.record(head: head, body: body)
            if let hold = receiver.holdAnswers {
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: hold) {
                    let (handler, context) = loopBound.value
                    handler.answer(context: context, head: head, status: status, text: text)
                }
            } else {
                answer(context: context, head: head, status: status, text: text)
            }
        }
    }

    private func answer(context: ChannelHandlerContext, head: HTTPRequestHead, status: Int, text: String) {
        receiver.answered()
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "\(text.utf8.count)")
        headers.add(name: "Content-Type", value: "application/json")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .init(statusCode: status), headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
