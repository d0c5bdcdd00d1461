import TailshipBasics
import Testing
@testable import Tailship
import TailshipTail

@Suite struct AuditTimeFilterTests {
    @Test func parsesRFC3339() {
        #expect(RFC3339.parse("2026-11-26T00:00:00Z") == 1_795_651_200)
        #expect(RFC3339.parse("2026-11-26T00:00:00.250Z") == 1_795_651_200.25)
        #expect(RFC3339.parse("2026-11-26T02:00:00+02:00") == 1_795_651_200)
        #expect(RFC3339.parse("2026-11-25T22:30:00-01:30") == 1_795_651_200)
        #expect(RFC3339.parse("2026-11-26") == nil)
        #expect(RFC3339.parse("2026-13-26T00:00:00Z") == nil)
        #expect(RFC3339.parse("2026-11-26T00:00:00") == nil)
    }

    func keeps(_ filter: AuditTimeFilter, _ line: String) -> Bool {
        var s = line
        return s.withUTF8 { filter.keeps(UnsafeRawBufferPointer($0)) }
    }

    @Test func keepsEventsInRangeByTheirReceivedTime() {
        let f = AuditTimeFilter(since: RFC3339.parse("2026-11-26T12:00:00Z"), until: RFC3339.parse("2026-11-26T13:00:00Z"))
        let event = { (t: String) in "{\"kind\":\"Event\",\"stageTimestamp\":\"2026-11-26T23:00:00Z\",\"requestReceivedTimestamp\":\"\(t)\"}" }
        #expect(keeps(f, event("2026-11-26T12:00:00.000000Z")))
        #expect(keeps(f, event("2026-11-26T13:00:00.000000Z")))
        #expect(!keeps(f, event("2026-11-26T11:59:59.999999Z")))
        #expect(!keeps(f, event("2026-11-26T13:00:00.000001Z")))
        #expect(!keeps(f, "{\"kind\":\"Event\"}"))
        #expect(!keeps(f, "not json"))
    }
}
