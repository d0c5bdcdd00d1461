import Foundation
import TailshipPolicy

// tailship-bench policy POLICY FILE [RESULT.json]: the policy processor next to JSONDecoder, same lines, same run.
let args = CommandLine.arguments
guard args.count >= 4, args[1] == "policy" else {
    FileHandle.standardError.write(Data("usage: tailship-bench policy POLICY.yaml EVENTS.ndjson [RESULT.json]\n".utf8))
    exit(2)
}
do {
    let policy = try PolicyLoader.load(path: args[2])
    let floor = try PolicyBench.runSplitOnly(args[3])
    let fast = try PolicyBench.runProcessor(args[3], policy: policy)
    let slow = try PolicyBench.runJSONDecoder(args[3])
    let ratio = fast.mibPerSecond / slow.mibPerSecond
    let mib = Double(fast.bytes) / 1_048_576
    print(String(format: "input: %.0f MiB, %d lines", mib, fast.lines))
    print("measure                                         seconds      MiB/s")
    print("read and split lines only (floor)          " + String(format: "%10.2f %10.1f", floor.seconds, floor.mibPerSecond))
    print("tailship policy processor                 " + String(format: "%10.2f %10.1f", fast.seconds, fast.mibPerSecond))
    print("Foundation JSONDecoder (policy fields)    " + String(format: "%10.2f %10.1f", slow.seconds, slow.mibPerSecond))
    print(String(format: "processor / JSONDecoder: %.1fx (target >= 4x); decisions: %d kept, %d reduced, %d dropped, %d invalid",
                 ratio, fast.kept, fast.reduced, fast.dropped, fast.invalid))
    if args.count >= 5 {
        let json = """
            {"bytes":\(fast.bytes),"lines":\(fast.lines),"processor_seconds":\(fast.seconds),"processor_mib_s":\(fast.mibPerSecond),\
            "jsondecoder_seconds":\(slow.seconds),"jsondecoder_mib_s":\(slow.mibPerSecond),"ratio":\(ratio)}

            """
        try json.write(toFile: args[4], atomically: true, encoding: .utf8)
    }
    exit(ratio >= 4 ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("tailship-bench: \(error)\n".utf8))
    exit(1)
}
