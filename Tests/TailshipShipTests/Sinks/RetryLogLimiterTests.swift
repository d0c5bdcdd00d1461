import TailshipShip
import Testing

@Suite struct RetryLogLimiterTests {
    @Test func oneLinePerBackoffStepAcrossBatchesUntilASuccess() {
        let limiter = RetryLogLimiter()
        // Three batches fail together: only the first to reach each attempt logs.
        #expect(limiter.shouldLog(attempt: 1) == (true, 0))
        #expect(limiter.shouldLog(attempt: 1).log == false)
        #expect(limiter.shouldLog(attempt: 1).log == false)
        #expect(limiter.shouldLog(attempt: 2) == (true, 2))
        #expect(limiter.shouldLog(attempt: 2).log == false)
        limiter.reset()
        #expect(limiter.shouldLog(attempt: 1) == (true, 0))
    }
}
