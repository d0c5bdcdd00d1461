import ServiceLifecycle

/// A lane's reading, first to stop in its group: its own reader, or, for a lane fed by
/// the shared reader, a watch for being let go, after which it drains and takes over.
struct FeedService: Service {
    let reading: LaneReading

    func run() async throws {
        if let own = reading.ownReader {
            try await ReaderService(loop: own).run()
            return
        }
        // Fed until let go; at shutdown the shared reader (stopped before the lanes) finishes the queue.
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
        try await ReaderService(loop: reading.takeOver()).run()
    }
}
