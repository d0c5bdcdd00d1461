import Foundation
import TailshipFuzz

/// Without the fuzzer: replays inputs, `tailship-fuzz TARGET FILE|DIR...`.
/// Built by `make fuzz` (-DFUZZING -sanitize=fuzzer): hands its arguments to
/// libFuzzer's driver, TAILSHIP_FUZZ_TARGET picking the target. (SwiftPM
/// renames an executable's main, so libFuzzer's own main() cannot be used.)
@main
struct FuzzMain {
    static func main() {
#if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
#else
        replay()
#endif
    }

    static func replay() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: tailship-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE|DIR...")
            exit(2)
        }
        var failed = 0
        var count = 0
        for path in arguments.dropFirst() {
            for file in FuzzCorpus.files(at: path) {
                count += 1
                let bytes = FileManager.default.contents(atPath: file).map { Array($0) } ?? []
                if let failure = target.run(bytes) {
                    print("\(file): \(failure)")
                    failed += 1
                }
            }
        }
        print("\(target.rawValue): \(count) inputs, \(failed) failed")
        exit(failed == 0 ? 0 : 1)
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    if selected == nil {
        let name = ProcessInfo.processInfo.environment["TAILSHIP_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("set TAILSHIP_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        selected = target
    }
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let failure = selected!.run(bytes) { fatalError("\(selected!.rawValue): \(failure)") }
    return 0
}
#endif
