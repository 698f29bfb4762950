// swift-tools-version: 6.1
// The load generator, the speech benchmark and the AGI parser's fuzz target: tools for measuring
// TouchBase, kept apart so that a user's build and CI build only the product (../Package.swift).
// See ../BENCHMARKS.md; Benchmarks/run and Benchmarks/render build from here.
import PackageDescription

let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let histogram: Target.Dependency = .product(name: "Histogram", package: "hdrhistogram-swift")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let agi: Target.Dependency = .product(name: "AGI", package: "TouchBase")

let package = Package(
    name: "TouchBaseBenchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "agi-load", targets: ["agi-load"]),
        .executable(name: "speech-bench", targets: ["speech-bench"]),
        .executable(name: "agi-parser-fuzz", targets: ["agi-parser-fuzz"]),
    ],
    dependencies: [
        .package(name: "TouchBase", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // Linux's epoll for agi-load's lean engine (a header only, nothing to link).
        .systemLibrary(name: "CEpoll", path: "Sources/CEpoll"),

        .executableTarget(name: "agi-load", dependencies: [
            "CEpoll", nioCore, argumentParser, histogram,
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .executableTarget(name: "speech-bench", dependencies: [
            .product(name: "Speech", package: "TouchBase"), argumentParser, logging,
        ]),

        // Fuzz target for the AGI parsers; see ../Fuzz/run-agi-parser-fuzz.sh.
        .executableTarget(name: "agi-parser-fuzz", dependencies: [agi, nioCore]),

        .testTarget(name: "AGILoadTests", dependencies: [
            "agi-load", agi, histogram, logging, nioCore,
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
