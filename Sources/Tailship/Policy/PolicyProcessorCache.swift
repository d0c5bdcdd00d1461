import TailshipPolicy

/// One thread's processor for the policy a holder has in force: rebuilt only when a
/// reload replaced the policy (one relaxed atomic load per line otherwise).
struct PolicyProcessorCache {
    let holder: PolicyHolder
    private var processor: PolicyProcessor?
    private var generation = -1

    init(_ holder: PolicyHolder) {
        self.holder = holder
    }

    mutating func current() -> PolicyProcessor? {
        let g = holder.generation
        if g != generation {
            generation = g
            processor = holder.policy.map { PolicyProcessor(policy: $0) }
        }
        return processor
    }
}
