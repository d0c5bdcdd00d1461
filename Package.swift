// swift-tools-version:6.0
import Foundation
import PackageDescription

// ISA-L (Debian libisal-dev) compresses and inflates gzip at a fraction of zlib's CPU. Built in when
// its header is installed, unless TAILSHIP_ISAL=0; without it Tailship uses zlib alone (docs/PERFORMANCE.md).
let isal = ProcessInfo.processInfo.environment["TAILSHIP_ISAL"] != "0"
    && FileManager.default.fileExists(atPath: "/usr/include/isa-l/igzip_lib.h")

// The webhook answers within milliseconds only if checking a body is optimised: its byte loops
// run 20 to 50 times slower unoptimised, and the tests measure answer times on debug builds.
let optimizedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Tailship",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tailship", targets: ["tailship"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // System zlib (Debian: zlib1g-dev) for gzip; a thin C module map, no vendored code.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // System ISA-L (Debian: libisal-dev to build, libisal2 to run) for gzip at a fraction of zlib's CPU.
        .systemLibrary(
            name: "CIsal",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        // gzip through ISA-L or zlib: one-shot compression and streaming inflate, either engine.
        .target(
            name: "TailshipCompress",
            dependencies: ["CZlib"] + (isal ? ["CIsal"] : []),
            swiftSettings: isal ? [.define("TAILSHIP_ISAL")] : []
        ),
        // Linux inotify (part of libc; only its header needs importing).
        .systemLibrary(name: "CInotify"),
        // What both the tail and the shipping side need: file identity, clocks, UTC time, FNV-1a.
        .target(name: "TailshipBasics"),
        // Files: discovery, identity, following, framing, registry. No HTTP, YAML or metrics.
        .target(
            name: "TailshipTail",
            dependencies: [
                "TailshipBasics",
                "TailshipCompress",
                "CInotify",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Batches, encoding, compression and sinks.
        .target(
            name: "TailshipShip",
            dependencies: [
                "TailshipCompress",
                "TailshipJSON",
                "TailshipBasics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // 64-byte JSON byte classification (SSE2 movemask) for the policy scanner.
        .target(name: "CJSONScan"),
        // Finding fields in JSON lines without decoding them.
        .target(
            name: "TailshipJSON",
            dependencies: ["CJSONScan"],
            swiftSettings: optimizedEvenInDebug
        ),
        // Kubernetes audit policies: loading, validation, matching, and reducing event lines in place.
        .target(
            name: "TailshipPolicy",
            dependencies: [
                "TailshipJSON",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The apiserver's audit webhook received: EventList bodies checked, appended to a synced spool.
        .target(
            name: "TailshipRedact",
            dependencies: [
                "TailshipJSON",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: optimizedEvenInDebug
        ),
        .target(
            name: "TailshipWebhook",
            dependencies: [
                "TailshipBasics",
                "TailshipCompress",
                "TailshipJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: optimizedEvenInDebug
        ),
        // Configuration, pipeline wiring, daemon services and the demo.
        .target(
            name: "Tailship",
            dependencies: [
                "TailshipCompress",
                "TailshipJSON",
                "TailshipPolicy",
                "TailshipBasics",
                "TailshipTail",
                "TailshipShip",
                "TailshipWebhook",
                "TailshipRedact",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The thin command-line front end (the `tailship` executable).
        .executableTarget(
            name: "tailship",
            dependencies: [
                "Tailship",
                "TailshipBasics",
                "TailshipTail",
                "TailshipPolicy",
                "TailshipShip",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Not Sources/tailship: that differs from Sources/Tailship only by case, which a
            // case-insensitive filesystem cannot check out.
            path: "Sources/TailshipCLI"
        ),
        // `make bench` tools: the benchmark log generator, micro-benchmarks, a loopback
        // receiver, a steady writer, and the policy processor next to JSONDecoder.
        .executableTarget(
            name: "tailship-bench",
            dependencies: [
                "TailshipPolicy", "TailshipBasics", "TailshipCompress", "TailshipTail", "TailshipShip", "TailshipJSON", "TailshipTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Fuzz targets with their properties (libFuzzer in `make fuzz`; replayed by the tests).
        .target(
            name: "TailshipFuzz",
            dependencies: ["Tailship", "TailshipBasics", "TailshipTail", "TailshipPolicy", "TailshipJSON"]
        ),
        // libFuzzer driver when built with -DFUZZING -sanitize=fuzzer; otherwise replays files.
        .executableTarget(
            name: "tailship-fuzz",
            dependencies: ["TailshipFuzz"]
        ),
        // Helpers shared by the test targets, and the seeded generator tailship-bench uses.
        .target(
            name: "TailshipTestSupport",
            dependencies: ["TailshipCompress"],
            path: "Tests/TailshipTestSupport"
        ),
        .testTarget(
            name: "TailshipTailTests",
            dependencies: ["TailshipBasics", "TailshipCompress", "TailshipTail", "TailshipShip", "TailshipTestSupport"]
        ),
        .testTarget(
            name: "TailshipShipTests",
            dependencies: ["TailshipShip", "TailshipCompress", "TailshipBasics", "TailshipTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "TailshipCompressTests",
            dependencies: ["TailshipCompress", "TailshipTestSupport"]
        ),
        .testTarget(
            name: "TailshipJSONTests",
            dependencies: ["TailshipJSON", "TailshipTestSupport"]
        ),
        .testTarget(
            name: "TailshipRedactTests",
            dependencies: ["TailshipRedact", "TailshipJSON", "TailshipTestSupport"]
        ),
        .testTarget(
            name: "TailshipPolicyTests",
            dependencies: ["TailshipPolicy", "TailshipJSON", "TailshipTestSupport"]
        ),
        .testTarget(
            name: "TailshipTests",
            dependencies: [
                "TailshipTestSupport",
                "TailshipFuzz",
                "Tailship",
                "TailshipCompress",
                "TailshipBasics",
                "TailshipTail",
                "TailshipPolicy",
                "TailshipShip",
                "TailshipWebhook",
                "tailship",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
