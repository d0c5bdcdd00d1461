import TailshipBasics
import Testing
import TailshipTail

@Suite struct CivilTimeTests {
    @Test func fieldsOfAKnownMoment() {
        let c = CivilTime(seconds: 1_795_651_200.123456)
        #expect([c.year, c.month, c.day, c.hour, c.minute, c.second] == [2026, 11, 26, 0, 0, 0])
        #expect(c.millisecond == 123)
        #expect(abs(c.microsecond - 123_456) <= 1)
        let d = CivilTime(epochSeconds: 1_795_737_599)
        #expect([d.year, d.month, d.day, d.hour, d.minute, d.second] == [2026, 11, 26, 23, 59, 59])
    }

    @Test func roundTripsWithRFC3339() {
        var text = "2026-11-27T01:02:03.456789Z"
        let ns = text.withUTF8 { RFC3339.nanoseconds(UnsafeRawBufferPointer($0)) }
        let c = CivilTime(epochSeconds: ns! / 1_000_000_000, nanosecond: Int(ns! % 1_000_000_000))
        #expect([c.year, c.month, c.day, c.hour, c.minute, c.second, c.microsecond] == [2026, 11, 27, 1, 2, 3, 456_789])
    }
}
