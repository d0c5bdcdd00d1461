import Foundation
import Logging
import ServiceLifecycle

/// Runs the shared reader and every lane (each a small service group: its shipper, then its
/// reading) and adds or removes lanes on reload. On shutdown the shared reader stops first
/// and finishes the queues it feeds; then every lane stops its own reader, if it has one,
/// and drains its shipper against its own deadline; the registry writer, stopped after
/// this service, writes last.
final class LanesService: Service, Sendable {
    enum Command: Sendable {
        case add(Lane)
        case remove(String)
    }

    let table: LaneTable
    /// The reader feeding the lanes whose offsets matched at start, if any.
    let shared: ReaderLoop?
    private let sharedDone = StopFlag()
    private let logger: Logger
    private let commands: AsyncStream<Command>
    private let continuation: AsyncStream<Command>.Continuation

    init(table: LaneTable, shared: ReaderLoop?, logger: Logger) {
        self.table = table
        self.shared = shared
        self.logger = logger
        (commands, continuation) = AsyncStream.makeStream(of: Command.self)
    }

    func send(_ command: Command) {
        continuation.yield(command)
    }

    func run() async throws {
        let (table, logger, commands, continuation) = (table, logger, commands, continuation)
        await withTaskGroup(of: Void.self) { group in
            if let shared { group.addTask { [sharedDone] in await Self.run(shared, done: sharedDone) } }
            for lane in table.all { group.addTask { await Self.run(lane, table: table, logger: logger) } }
            await withGracefulShutdownHandler {
                for await command in commands {
                    switch command {
                    case .add(let lane):
                        table.add(lane)
                        group.addTask { await Self.run(lane, table: table, logger: logger) }
                    case .remove(let name):
                        guard let lane = table.lane(named: name) else { continue }
                        remove(lane, in: &group)
                    }
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            if let shared {
                shared.requestStop()
                while !sharedDone.isSet { try? await Task.sleep(for: .milliseconds(10)) }
            }
            for lane in table.all { await lane.group.triggerGracefulShutdown() }
            await group.waitForAll()
        }
    }

    /// A removed output stops once it has drained; then its cursors go with it. One fed by
    /// the shared reader is let go first, so that nothing is queued after its queue is finished.
    private func remove(_ lane: Lane, in group: inout TaskGroup<Void>) {
        lane.markRemoved()
        guard let shared, lane.reading.isFedByShared else {
            group.addTask { await lane.group.triggerGracefulShutdown() }
            return
        }
        shared.requestDetach(lane.name)
        group.addTask { [sharedDone] in
            while !lane.reading.feed.isDetached && !sharedDone.isSet { try? await Task.sleep(for: .milliseconds(20)) }
            await lane.group.triggerGracefulShutdown()
        }
    }

    /// The shared reader until it stops.
    private static func run(_ reader: ReaderLoop, done: StopFlag) async {
        await ReaderThread.run(reader)
        done.set()
    }

    /// One lane until it stops; a removed one then leaves the table, and its cursors the registry.
    private static func run(_ lane: Lane, table: LaneTable, logger: Logger) async {
        do {
            try await lane.group.run()
        } catch {
            logger.error("output stopped with an error", metadata: ["output": "\(lane.name)", "error": "\(error)"])
        }
        if lane.isRemoved {
            // Sharing a reader, its acks no longer hold the others' common offset back.
            lane.reading.cursors.leave(lane.name, now: Date().timeIntervalSince1970)
            table.remove(lane)
            logger.notice("output removed: its offsets are dropped from the registry", metadata: ["output": "\(lane.name)"])
        }
    }
}
