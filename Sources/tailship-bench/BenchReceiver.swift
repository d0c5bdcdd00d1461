import TailshipBasics
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TailshipShip
import TailshipTail

/// A loopback HTTP receiver for the benchmarks. `discard` keeps bodies as they
/// arrive and does nothing else while the run is timed (it must cost less than
/// what it measures); at `GET /stop` it gunzips them and counts every event and
/// byte, so the bench can fail when one is missing. `delay` gunzips each body as
/// it comes and records, per event, receipt time minus the write time the
/// steady writer put in `requestReceivedTimestamp`. `GET /stop` ends it.
final class BenchReceiver: Sendable {
    enum Mode: String, Sendable { case discard, delay }

    struct Totals {
        var requests = 0
        var bodyBytes = 0
        var events = 0
        /// Decompressed bytes of the bodies counted (discard mode).
        var decodedBytes = 0
        var delaysMs: [Double] = []
        /// Discard mode: the bodies, counted only at the end.
        var kept: [ByteBuffer] = []
    }

    let mode: Mode
    let resultPath: String
    let totals = Mutex(Totals())

    /// `GET /stop` writes the result to `resultPath` and ends the process.
    init(mode: Mode, resultPath: String) {
        self.mode = mode
        self.resultPath = resultPath
    }

    func start() throws -> (Channel, Int) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(receiver: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        return (channel, channel.localAddress?.port ?? 0)
    }

    /// Delay mode: one whole request body.
    func received(body: ByteBuffer) {
        let size = body.readableBytes
        let now = UTCTime.nowNanoseconds()
        let text = (try? Gzip.decompress(Array(body.readableBytesView))) ?? Array(body.readableBytesView)
        var delays: [Double] = []
        let key = Array(#""requestReceivedTimestamp":""#.utf8)
        text.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                let end = raw[start...].firstIndex(of: 0x0A) ?? raw.count
                let line = UnsafeRawBufferPointer(rebasing: raw[start..<end])
                if let at = BenchBytes.range(of: key, in: line)?.lowerBound {
                    let value = UnsafeRawBufferPointer(rebasing: line[(at + key.count)...])
                    if let close = value.firstIndex(of: 0x22), let ns = RFC3339.nanoseconds(UnsafeRawBufferPointer(rebasing: value[..<close])) {
                        delays.append(Double(now - ns) / 1e6)
                    }
                }
                start = end + 1
            }
        }
        totals.withLock {
            $0.requests += 1
            $0.bodyBytes += size
            $0.events += delays.count
            $0.delaysMs += delays
        }
    }

    /// Discard mode, after the run: every kept body gunzipped, its events (lines) and bytes counted.
    func countKept() {
        let kept = totals.withLock { t -> [ByteBuffer] in
            defer { t.kept = [] }
            return t.kept
        }
        var events = 0, bytes = 0
        for body in kept {
            let text = (try? Gzip.decompress(Array(body.readableBytesView))) ?? Array(body.readableBytesView)
            bytes += text.count
            events += text.withUnsafeBytes { raw in raw.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
        }
        totals.withLock {
            $0.events += events
            $0.decodedBytes += bytes
        }
    }

    /// The result as one JSON object.
    func resultJSON() -> String {
        if mode == .discard { countKept() }
        return totals.withLock { t in
            let d = t.delaysMs.sorted()
            func q(_ p: Double) -> Double { d.isEmpty ? 0 : d[min(d.count - 1, Int(Double(d.count) * p))] }
            return String(format: #"{"requests":%d,"body_bytes":%d,"events":%d,"decoded_bytes":%d,"delay_p50_ms":%.1f,"delay_p99_ms":%.1f,"delay_max_ms":%.1f}"#,
                          t.requests, t.bodyBytes, t.events, t.decodedBytes, q(0.5), q(0.99), d.last ?? 0)
        }
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let receiver: BenchReceiver
        var body: ByteBuffer?
        var keepAlive = true

        init(receiver: BenchReceiver) { self.receiver = receiver }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                if head.uri == "/stop" {
                    // The benchmark script's way to end the run: write the result, then exit.
                    try? (receiver.resultJSON() + "\n").write(toFile: receiver.resultPath, atomically: true, encoding: .utf8)
                    exit(0)
                }
                keepAlive = head.isKeepAlive
                body = context.channel.allocator.buffer(capacity: 0)
            case .body(var chunk):
                body?.writeBuffer(&chunk)
            case .end:
                if let body {
                    if receiver.mode == .delay { receiver.received(body: body) } else {
                        receiver.totals.withLock { $0.requests += 1; $0.bodyBytes += body.readableBytes; $0.kept.append(body) }
                    }
                }
                body = nil
                var headers = HTTPHeaders()
                headers.add(name: "content-length", value: "0")
                if !keepAlive { headers.add(name: "connection", value: "close") }
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                let keep = keepAlive
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                    if !keep { channel.close(promise: nil) }
                }
            }
        }
    }
}
