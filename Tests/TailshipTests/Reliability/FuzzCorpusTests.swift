import Foundation
import Testing
import TailshipFuzz

/// Every input the fuzzer kept (`fuzz/corpus/`) and every input that once
/// failed (`fuzz/regressions/`) runs through its target's properties here, in
/// the normal build, so a fix that regresses shows up in `make test`.
@Suite struct FuzzCorpusTests {
    static let fuzzRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz").path

    @Test(arguments: FuzzTarget.allCases)
    func keptInputsHoldTheirProperties(_ target: FuzzTarget) throws {
        var count = 0
        for kind in ["corpus", "regressions"] {
            for file in FuzzCorpus.files(at: "\(Self.fuzzRoot)/\(kind)/\(target.rawValue)") {
                let bytes = try #require(FileManager.default.contents(atPath: file))
                count += 1
                let failure = target.run(Array(bytes))
                #expect(failure == nil, "\(file): \(failure ?? "")")
            }
        }
        #expect(count > 0, "no inputs kept for \(target.rawValue) under \(Self.fuzzRoot)")
    }
}
