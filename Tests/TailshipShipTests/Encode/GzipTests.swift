import Testing
@testable import TailshipShip
import TailshipCompress

@Suite struct GzipTests {
    @Test func roundTripsAndConcatenatesMembers() throws {
        let a = Array("first line\nsecond line\n".utf8)
        let b = Array(String(repeating: "{\"kind\":\"Event\"}\n", count: 5000).utf8)
        let joined = try Gzip.compress(a, level: 1) + Gzip.compress(b, level: 9)
        #expect(try Gzip.decompress(joined) == a + b)
        // gzip magic, so zcat and HTTP receivers accept it.
        #expect(Array(try Gzip.compress(a, level: 1).prefix(2)) == [0x1f, 0x8b])
    }

    @Test func emptyInputMakesAValidMember() throws {
        #expect(try Gzip.decompress(Gzip.compress([], level: 1)) == [])
    }

    @Test func truncatedMemberIsAnError() throws {
        let full = try Gzip.compress(Array(String(repeating: "abc", count: 1000).utf8), level: 1)
        #expect(throws: GzipError.self) { try Gzip.decompress(Array(full.dropLast(6))) }
    }
}
