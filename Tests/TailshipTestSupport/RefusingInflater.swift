import TailshipCompress

/// An inflater that decompresses correctly (zlib) for `after - 1` calls, then calls the data
/// corrupt: ISA-L refusing what zlib accepts. Odd calls refuse after producing bytes, even
/// ones before, so both of a reader's paths to the zlib fallback are taken.
public final class RefusingInflater: GzipInflater {
    private let inner = Inflaters.make(preferISAL: false)
    private var calls = 0
    private let after: Int

    public init(after: Int) { self.after = after }

    public var pendingInput: Int { inner.pendingInput }
    public func supply(_ input: UnsafeRawBufferPointer) { inner.supply(input) }
    public func startNextMember() { inner.startNextMember() }

    public func inflate(into output: UnsafeMutableRawBufferPointer) -> InflateStep {
        calls += 1
        let step = inner.inflate(into: output)
        if calls >= after { return InflateStep(produced: calls % 2 == 1 ? step.produced : 0, state: .corrupt) }
        return step
    }
}
