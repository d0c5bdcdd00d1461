#if TAILSHIP_ISAL
import CIsal

/// ISA-L's inflate with its gzip wrapper (ISAL_GZIP: header parsed, CRC and length checked).
final class IsalInflater: GzipInflater {
    // About 40 KB of Huffman tables and window: on the heap, once.
    private let state = UnsafeMutablePointer<inflate_state>.allocate(capacity: 1)

    init() {
        state.initialize(to: inflate_state())
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
    }

    deinit { state.deallocate() }

    var pendingInput: Int { Int(state.pointee.avail_in) }

    func supply(_ input: UnsafeRawBufferPointer) {
        state.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        state.pointee.avail_in = UInt32(input.count)
    }

    func inflate(into output: UnsafeMutableRawBufferPointer) -> InflateStep {
        state.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        state.pointee.avail_out = UInt32(output.count)
        let rc = isal_inflate(state)
        let produced = output.count - Int(state.pointee.avail_out)
        if rc < 0 { return InflateStep(produced: produced, state: .corrupt) }
        return InflateStep(produced: produced, state: state.pointee.block_state == ISAL_BLOCK_FINISH ? .memberEnded : .more)
    }

    func startNextMember() {
        // Reset forgets the input; what follows the trailer is the next member's.
        let (next, avail) = (state.pointee.next_in, state.pointee.avail_in)
        isal_inflate_reset(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
        state.pointee.next_in = next
        state.pointee.avail_in = avail
    }
}
#endif
