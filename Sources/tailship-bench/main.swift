import Foundation
import TailshipPolicy

// tailship-bench: the tools `make bench` (bench/run.sh) drives. Each subcommand prints what it measured.
let usage = """
    usage: tailship-bench generate REAL_DIR FILE GIB SEED       benchmark log from real events (deterministic)
           tailship-bench micro FILE MIB [RESULT.json]         framing, field scanner, gzip -1, gunzip: MiB/s
           tailship-bench receive discard|delay PORT_FILE RESULT.json   loopback HTTP receiver until GET /stop
           tailship-bench write REAL_DIR FILE RATE SECONDS SEED   appends events at RATE/s, stamped with their write time
           tailship-bench policy POLICY.yaml EVENTS.ndjson [RESULT.json]   policy processor next to JSONDecoder

    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("tailship-bench: \(message)\n".utf8))
    exit(1)
}

let args = CommandLine.arguments
guard args.count >= 2 else { FileHandle.standardError.write(Data(usage.utf8)); exit(2) }
do {
    switch (args[1], args.count) {
    case ("generate", 6):
        let log = try BenchLog(realDirectory: args[2])
        let gib = Double(args[4]) ?? 1
        let start = PolicyBench.now()
        let r = try log.write(to: args[3], bytes: Int(gib * 1_073_741_824), seed: UInt64(args[5]) ?? 1)
        print(String(format: "generated %@: %d events, %.1f MiB, %d of them 10-200 KB, from %d Metadata, %d Request, %d RequestResponse templates, seed %@, %.1f s",
                     args[3], r.events, Double(r.bytes) / 1_048_576, r.large, log.metadata.count, log.request.count,
                     log.requestResponse.count, args[5], PolicyBench.now() - start))
    case ("micro", 4), ("micro", 5):
        let rows = try MicroBench.run(file: args[2], megabytes: Int(args[3]) ?? 256)
        print("micro-benchmark (one core)                   seconds      MiB/s")
        for row in rows { print(row.name.padding(toLength: 42, withPad: " ", startingAt: 0) + String(format: "%10.2f %10.1f", row.seconds, row.mibPerSecond)) }
        if args.count == 5 {
            let items = rows.map { String(format: #"{"name":"%@","seconds":%.3f,"mib_s":%.1f}"#, $0.name, $0.seconds, $0.mibPerSecond) }
            try ("[" + items.joined(separator: ",") + "]\n").write(toFile: args[4], atomically: true, encoding: .utf8)
        }
    case ("receive", 5):
        guard let mode = BenchReceiver.Mode(rawValue: args[2]) else { fail("mode must be discard or delay") }
        let receiver = BenchReceiver(mode: mode, resultPath: args[4])
        let (_, port) = try receiver.start()
        try "\(port)\n".write(toFile: args[3], atomically: true, encoding: .utf8)
        dispatchMain()
    case ("write", 7):
        let log = try BenchLog(realDirectory: args[2])
        guard let rate = Int(args[4]), let seconds = Double(args[5]) else { fail("RATE and SECONDS are numbers") }
        let n = try SteadyWriter.run(log: log, path: args[3], rate: rate, seconds: seconds, seed: UInt64(args[6]) ?? 1)
        print("wrote \(n) events to \(args[3]) at \(rate)/s")
    case ("policy", 4), ("policy", 5):
        exit(try PolicyBench.main(Array(args[2...])))
    default:
        FileHandle.standardError.write(Data(usage.utf8))
        exit(2)
    }
} catch {
    fail("\(error)")
}
