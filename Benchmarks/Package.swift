// swift-tools-version: 6.1
// The load generator, the speech benchmark and the AGI parser's fuzz target: tools for measuring
// TouchBase, kept apart so that a user's build and CI build only the product (../Package.swift).
// See ../BENCHMARKS.md; Benchmarks/run and Benchmarks/render build from here.
import PackageDescription

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
            "CEpoll",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .executableTarget(name: "speech-bench", dependencies: [
            .product(name: "Speech", package: "TouchBase"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Fuzz target for the AGI parsers; see ../Fuzz/run-agi-parser-fuzz.sh.
        .executableTarget(name: "agi-parser-fuzz", dependencies: [
            .product(name: "AGI", package: "TouchBase"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),

        .testTarget(name: "AGILoadTests", dependencies: [
            "agi-load",
            .product(name: "AGI", package: "TouchBase"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
