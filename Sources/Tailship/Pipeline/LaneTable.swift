import Synchronization

/// The lanes running now: added and removed by `LanesService` (at start and on SIGHUP),
/// read by the registry writer, the pin thread and the monitoring server.
final class LaneTable: Sendable {
    private struct State {
        var lanes: [Lane] = []
        /// Bumped when a lane comes or goes: the registry file must be written again.
        var generation: UInt64 = 0
    }
    private let state = Mutex(State())

    var all: [Lane] { state.withLock { $0.lanes } }
    var generation: UInt64 { state.withLock { $0.generation } }

    func add(_ lane: Lane) {
        state.withLock {
            $0.lanes.append(lane)
            $0.generation &+= 1
        }
    }

    func remove(_ lane: Lane) {
        state.withLock {
            $0.lanes.removeAll { $0 === lane }
            $0.generation &+= 1
        }
    }

    func lane(named name: String) -> Lane? {
        state.withLock { $0.lanes.first { $0.name == name } }
    }
}
