import Foundation
import ServiceLifecycle

/// A lane's reading, first to stop in its group. Fed by the shared reader until let go;
/// then, once everything it queued is acknowledged, a reader of its own, until that
/// reader hands it back to the shared reader (level with it again), and so on.
struct FeedService: Service {
    let reading: LaneReading

    func run() async throws {
        var own = reading.ownReader
        while true {
            if own == nil {
                // At shutdown the shared reader (stopped before the lanes) finishes the queue of a lane it feeds.
                while !reading.feed.isDetached {
                    if Task.isShuttingDownGracefully { return }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                while !reading.feed.isDrained && !reading.isRemoved && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: .milliseconds(50))
                }
                if reading.isRemoved || Task.isShuttingDownGracefully {
                    // Nothing more comes: the shipper sends what was queued.
                    reading.queue.finish()
                    try? await gracefulShutdown()
                    return
                }
                own = reading.takeOver()
            }
            guard let loop = own else { return }
            await Self.run(loop)
            guard loop.rejoined else {
                // Stopped, or a backfill's reader at its end: stay until the group stops, in order.
                try? await gracefulShutdown()
                return
            }
            own = nil
        }
    }

    /// The reader until it ends, asked to stop at shutdown.
    static func run(_ loop: ReaderLoop) async {
        await withGracefulShutdownHandler {
            await ReaderThread.run(loop)
        } onGracefulShutdown: {
            loop.requestStop()
        }
    }
}
