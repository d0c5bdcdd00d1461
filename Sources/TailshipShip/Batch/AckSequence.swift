/// Batches finished in any order, handed on in sequence order: the Shipper
/// acknowledges (and so commits offsets) strictly in the order batches were read.
struct AckSequence {
    /// The sequence number to hand on next.
    var next: UInt64?
    /// Delivered batches waiting for an earlier one.
    var done: [UInt64: (Batch, Delivery)] = [:]
    /// Prepared batches (an `OrderedSink`'s) waiting for their turn to be stored.
    var prepared: [UInt64: (Batch, [UInt8])] = [:]

    /// The next delivered batch in sequence, if it is done.
    mutating func nextDone() -> (Batch, Delivery)? {
        guard let s = next, let d = done.removeValue(forKey: s) else { return nil }
        next = s + 1
        return d
    }

    /// The next prepared batch in sequence, if it is ready.
    mutating func nextPrepared() -> (Batch, [UInt8])? {
        guard let s = next, let p = prepared.removeValue(forKey: s) else { return nil }
        next = s + 1
        return p
    }
}
