import Logging
import ServiceLifecycle

/// Runs every lane (each a small service group: its shipper, then its reader) and adds or
/// removes lanes on reload. On shutdown every lane stops its reader and drains its shipper
/// against its own deadline; the registry writer, stopped after this service, writes last.
final class LanesService: Service, Sendable {
    enum Command: Sendable {
        case add(Lane)
        case remove(String)
    }

    let table: LaneTable
    private let logger: Logger
    private let commands: AsyncStream<Command>
    private let continuation: AsyncStream<Command>.Continuation

    init(table: LaneTable, logger: Logger) {
        self.table = table
        self.logger = logger
        (commands, continuation) = AsyncStream.makeStream(of: Command.self)
    }

    func send(_ command: Command) {
        continuation.yield(command)
    }

    func run() async throws {
        let (table, logger, commands, continuation) = (table, logger, commands, continuation)
        await withTaskGroup(of: Void.self) { group in
            for lane in table.all { group.addTask { await Self.run(lane, table: table, logger: logger) } }
            await withGracefulShutdownHandler {
                for await command in commands {
                    switch command {
                    case .add(let lane):
                        table.add(lane)
                        group.addTask { await Self.run(lane, table: table, logger: logger) }
                    case .remove(let name):
                        guard let lane = table.lane(named: name) else { continue }
                        // Its lane task ends once it has drained; then its cursors go with it.
                        lane.markRemoved()
                        group.addTask { await lane.group.triggerGracefulShutdown() }
                    }
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            for lane in table.all { await lane.group.triggerGracefulShutdown() }
            await group.waitForAll()
        }
    }

    /// One lane until it stops; a removed one then leaves the table, and its cursors the registry.
    private static func run(_ lane: Lane, table: LaneTable, logger: Logger) async {
        do {
            try await lane.group.run()
        } catch {
            logger.error("output stopped with an error", metadata: ["output": "\(lane.name)", "error": "\(error)"])
        }
        if lane.isRemoved {
            table.remove(lane)
            logger.notice("output removed: its offsets are dropped from the registry", metadata: ["output": "\(lane.name)"])
        }
    }
}
