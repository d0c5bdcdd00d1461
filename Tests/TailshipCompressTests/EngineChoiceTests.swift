import Testing
@testable import TailshipCompress

@Suite struct EngineChoiceTests {
    @Test func autoIsIsalForLevelsOneToThreeWhereBuiltIn() throws {
        for level: Int32 in 1...9 {
            let engine = try CompressionEngine.choose("auto", level: level).get()
            let expected: CompressionEngine = CompressionEngine.isalBuiltIn && level <= 3 ? .isal : .zlib
            #expect(engine == expected, "level \(level)")
            #expect(try CompressionEngine.choose("zlib", level: level).get() == .zlib)
        }
    }

    @Test func isalRefusesLevelsItDoesNotHave() {
        guard case .failure(let e) = CompressionEngine.choose("isal", level: 6) else { Issue.record("isal at level 6 accepted"); return }
        #expect(e.description.contains("1 to 3") || e.description.contains("no ISA-L"))
        guard case .failure(let other) = CompressionEngine.choose("fast", level: 1) else { Issue.record("fast accepted"); return }
        #expect(other.description.contains("auto, isal or zlib"))
    }

    @Test(.enabled(if: CompressionEngine.isalBuiltIn)) func isalAcceptedForLevelsOneToThree() throws {
        for level: Int32 in 1...3 { #expect(try CompressionEngine.choose("isal", level: level).get() == .isal) }
    }
}
