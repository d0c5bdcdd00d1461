import Dispatch
import Synchronization

/// Bounded hand-off from the reader thread (which blocks while it is full:
/// backpressure) to the async shipper.
public final class BatchQueue: Sendable {
    private struct State {
        var items: [Batch] = []
        var waiter: CheckedContinuation<Batch?, Never>?
        var finished = false
        var cancelled = false
    }

    private let state = Mutex(State())
    private let slots: DispatchSemaphore

    public init(capacity: Int) {
        precondition(capacity > 0)
        slots = DispatchSemaphore(value: capacity)
    }

    /// Blocks the calling thread while the queue is full. Returns false, without
    /// queueing, if the consumer is gone or `giveUp` says to stop waiting.
    @discardableResult
    public func put(_ batch: Batch, giveUp: () -> Bool = { false }) -> Bool {
        while slots.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if state.withLock({ $0.cancelled }) || giveUp() { return false }
        }
        return insert(batch)
    }

    /// Queues only if there is room now; never blocks.
    public func tryPut(_ batch: Batch) -> Bool {
        guard slots.wait(timeout: .now()) == .success else { return false }
        return insert(batch)
    }

    /// Hands over or queues a batch whose slot was taken.
    private func insert(_ batch: Batch) -> Bool {
        enum Outcome { case handed(CheckedContinuation<Batch?, Never>), queued, refused }
        let outcome: Outcome = state.withLock { s in
            if s.cancelled { return .refused }
            if let w = s.waiter {
                s.waiter = nil
                return .handed(w)
            }
            s.items.append(batch)
            return .queued
        }
        switch outcome {
        case .queued:
            break
        case .refused:
            slots.signal()
            return false
        case .handed(let waiter):
            slots.signal()
            waiter.resume(returning: batch)
        }
        return true
    }

    /// No more batches will come; `next()` returns nil once the queue is empty.
    public func finish() {
        let waiter = state.withLock { s in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The consumer stopped: producers blocked in `put` return false, and
    /// queued batches are dropped (uncommitted, they are read again at the next
    /// start). Their slots are given back: libdispatch refuses to free a
    /// semaphore below its initial value.
    public func cancel() {
        let dropped = state.withLock { s in
            s.cancelled = true
            defer { s.items = [] }
            return s.items.count
        }
        for _ in 0..<dropped { slots.signal() }
        finish()
    }

    /// The next batch, or nil when finished and empty.
    public func next() async -> Batch? {
        await withCheckedContinuation { (c: CheckedContinuation<Batch?, Never>) in
            enum Now { case item(Batch), end, wait }
            let now: Now = state.withLock { s in
                if !s.items.isEmpty { return .item(s.items.removeFirst()) }
                if s.finished { return .end }
                s.waiter = c
                return .wait
            }
            switch now {
            case .item(let b):
                slots.signal()
                c.resume(returning: b)
            case .end:
                c.resume(returning: nil)
            case .wait:
                break
            }
        }
    }
}
