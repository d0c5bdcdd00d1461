import Foundation
import TailshipJSON
import TailshipTestSupport
import Testing

/// The strict validator against Python's json module (what the format tests' receivers parse
/// bodies with), on real events and on random one-byte mutations of them.
@Suite struct JSONValidatorTests {
    /// Python's verdict for each line: is it one JSON object (json.loads on the bytes)?
    func pythonSaysObject(_ lines: [[UInt8]]) throws -> [Bool] {
        let dir = TempDirectory()
        let input = dir.file("lines.b64")
        try lines.map { Data($0).base64EncodedString() }.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let script = """
            import base64, json, sys
            for l in open(sys.argv[1]):
                try: print(1 if isinstance(json.loads(base64.b64decode(l)), dict) else 0)
                except ValueError: print(0)
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, input]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text.split(separator: "\n").map { $0 == "1" }
    }

    func validatorSaysObject(_ d: [UInt8]) -> Bool {
        d.withUnsafeBufferPointer { JSONValidator.isObject($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    @Test("agrees with Foundation on real events and 20,000 mutations")
    func differential() throws {
        let dir = TestFixtures.real.path
        var lines: [[UInt8]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where name.hasSuffix(".ndjson") || name.hasSuffix(".log") {
            lines += try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)")).split(separator: 0x0A).map { Array($0) }.filter { $0.count < 4000 }
        }
        for l in lines { #expect(validatorSaysObject(l)) }
        var random = SplitMix64(seed: 20261129)
        let bytes = Array(#"{}[],:"\ tx0-.eEu+"#.utf8) + [0x00, 0x1F, 0xC3, 0xFF, 0x80]
        var mutated: [[UInt8]] = []
        for _ in 0..<20_000 {
            var l = lines[random.below(lines.count)]
            let at = random.below(l.count)
            switch random.below(3) {
            case 0: l.remove(at: at)
            case 1: l[at] = bytes[random.below(bytes.count)]
            default: l.insert(bytes[random.below(bytes.count)], at: at)
            }
            mutated.append(l)
        }
        let python = try pythonSaysObject(mutated)
        try #require(python.count == mutated.count)
        var disagreements = 0, invalid = 0
        for (l, verdict) in zip(mutated, python) {
            if !verdict { invalid += 1 }
            if validatorSaysObject(l) != verdict {
                disagreements += 1
                if disagreements <= 5 { Issue.record("python says \(verdict) on: \(String(decoding: l.prefix(300), as: UTF8.self))") }
            }
        }
        print("json validator: 20000 mutations, \(invalid) invalid by Python, \(disagreements) disagreements")
        #expect(disagreements == 0)
    }
}
