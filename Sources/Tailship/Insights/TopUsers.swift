import Foundation
import Synchronization

/// Requests and authentication/authorization failures per user over a sliding
/// window, in bounded memory: the window is cut into `slots` time slots, and
/// each slot keeps at most `capacity` users. When a slot is full, the user with
/// the fewest requests gives way to the newcomer, which starts from that count
/// (the Space-Saving sketch): heavy users are never lost, and their counts are
/// upper bounds marked `approximate`.
public final class TopUsers: Sendable {
    struct Counts: Sendable {
        var requests = 0
        var failures = 0
    }

    struct Slot: Sendable {
        var index: Int64 = -1
        var users: [String: Counts] = [:]
        var evicted = false
    }

    private let slotSeconds: Double
    private let capacity: Int
    private let state: Mutex<[Slot]>

    public init(window: Double, slots: Int = 15, capacity: Int = 2048) {
        slotSeconds = window / Double(slots)
        self.capacity = capacity
        state = Mutex([Slot](repeating: Slot(), count: slots))
    }

    /// Counts one request by `user` at `now` (seconds).
    func record(user: String, failed: Bool, now: Double) {
        let index = Int64(now / slotSeconds)
        state.withLock { slots in
            let i = Int(index % Int64(slots.count))
            if slots[i].index != index { slots[i] = Slot(index: index) }
            if var c = slots[i].users[user] {
                c.requests += 1
                if failed { c.failures += 1 }
                slots[i].users[user] = c
                return
            }
            var start = Counts()
            if slots[i].users.count >= capacity, let smallest = slots[i].users.min(by: { $0.value.requests < $1.value.requests }) {
                slots[i].users[smallest.key] = nil
                slots[i].evicted = true
                start = smallest.value
            }
            start.requests += 1
            if failed { start.failures += 1 }
            slots[i].users[user] = start
        }
    }

    public struct Entry: Codable, Sendable, Equatable {
        public var user: String
        public var requests: Int
        public var failures: Int
    }

    public struct Report: Codable, Sendable {
        public var windowSeconds: Double
        public var approximate: Bool
        public var users: Int
        public var topByFailures: [Entry]
        public var topByRequests: [Entry]

        enum CodingKeys: String, CodingKey {
            case windowSeconds = "window_seconds", approximate, users
            case topByFailures = "top_by_failures", topByRequests = "top_by_requests"
        }
    }

    /// The `limit` users with most failures (401/403) and with most requests in the window ending at `now`.
    public func report(now: Double, limit: Int = 20) -> Report {
        let current = Int64(now / slotSeconds)
        let (merged, evicted, count) = state.withLock { slots -> ([String: Counts], Bool, Int) in
            var merged: [String: Counts] = [:]
            var evicted = false
            for slot in slots where slot.index > current - Int64(slots.count) && slot.index <= current {
                evicted = evicted || slot.evicted
                for (user, c) in slot.users {
                    merged[user, default: Counts()].requests += c.requests
                    merged[user, default: Counts()].failures += c.failures
                }
            }
            return (merged, evicted, slots.count)
        }
        let entries = merged.map { Entry(user: $0.key, requests: $0.value.requests, failures: $0.value.failures) }
        let byFailures = entries.filter { $0.failures > 0 }
            .sorted { ($0.failures, $1.user) > ($1.failures, $0.user) }.prefix(limit)
        let byRequests = entries.sorted { ($0.requests, $1.user) > ($1.requests, $0.user) }.prefix(limit)
        return Report(windowSeconds: slotSeconds * Double(count), approximate: evicted, users: entries.count,
                      topByFailures: Array(byFailures), topByRequests: Array(byRequests))
    }
}
