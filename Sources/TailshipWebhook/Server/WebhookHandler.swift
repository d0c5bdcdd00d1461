import Foundation
import NIOCore
import NIOHTTP1

/// One connection: collects a request's body (up to the limit), decides, appends through
/// the spool writer and answers 200 only once the lines are synced. Used on its event loop only.
final class WebhookHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Longest a request waits for the spool before it is answered 503.
    static let answerWithin: TimeAmount = .seconds(1)

    private let settings: WebhookSettings
    private let spool: SpoolWriter
    private let stats: WebhookStats
    private let log: WebhookAnswerLog
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(settings: WebhookSettings, spool: SpoolWriter, stats: WebhookStats, log: WebhookAnswerLog) {
        self.log = log
        self.settings = settings
        self.spool = spool
        self.stats = stats
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            let declared = h.headers.first(name: "Content-Length").flatMap(Int.init) ?? 0
            tooLarge = declared > settings.maxBodyBytes
        case .body(var buffer):
            guard !tooLarge else { return }
            if body.count + buffer.readableBytes > settings.maxBodyBytes {
                tooLarge = true
                body = []
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let path = String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            let decision = WebhookRequest.decide(method: head.method.rawValue, path: path, expectedPath: settings.path,
                                                 contentEncoding: head.headers.first(name: "Content-Encoding"), body: body,
                                                 tooLarge: tooLarge, maxBodyBytes: settings.maxBodyBytes)
            body = []
            switch decision {
            case .refuse(let refusal):
                respond(context, head, status: refusal.status, message: refusal.message)
            case .append(let lines) where lines.events == 0:
                respond(context, head, status: 200, message: "ok: 0 events")
            case .append(let lines):
                append(lines, context: context, head: head)
            }
        }
    }

    /// Answers once the spool has the lines (or says why not), within `answerWithin`.
    private func append(_ lines: EventListBody.Lines, context: ChannelHandlerContext, head: HTTPRequestHead) {
        let loop = context.eventLoop
        let answer = loop.makePromise(of: SpoolWriter.Outcome?.self)
        let timer = loop.scheduleTask(in: Self.answerWithin) { answer.succeed(nil) }
        spool.append(lines.bytes) { outcome in answer.succeed(outcome) }
        let stats = self.stats, maxBytes = settings.spool.maxBytes
        // The answer is completed on this loop, where the handler and its context live.
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        answer.futureResult.whenSuccess { outcome in
            let (handler, context) = bound.value
            let respond = { (status: Int, message: String, retry: Int?) in handler.respond(context, head, status: status, message: message, retryAfter: retry) }
            timer.cancel()
            switch outcome {
            case .appended?:
                stats.eventsReceived.add(lines.events, ordering: .relaxed)
                respond(200, "ok: \(lines.events) events", nil)
            case .full?:
                respond(429, "spool full (max_bytes \(maxBytes)); retry later", 1)
            case .failed(let why)?:
                respond(503, "spool cannot append: \(why)", 1)
            case nil:
                respond(503, "spool did not sync within 1 s; retry", 1)
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, status: Int, message: String, retryAfter: Int? = nil) {
        stats.answered(status)
        log.answered(status, message, client: context.channel.remoteAddress.map { "\($0)" } ?? "?")
        let bytes = Array((message + "\n").utf8)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(bytes.count)")
        if let retryAfter { headers.add(name: "Retry-After", value: "\(retryAfter)") }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let response = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
