// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "TouchBase",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "touchbase", targets: ["touchbase"]),
        .executable(name: "greeting-bench", targets: ["greeting-bench"]),
        .library(name: "AGI", targets: ["AGI"]),
        .library(name: "Cadence", targets: ["Cadence"]),
        .library(name: "AudioSocket", targets: ["AudioSocket"]),
        .library(name: "Greeting", targets: ["Greeting"]),
        // For the Benchmarks package beside the product (Benchmarks/Package.swift).
        .library(name: "Speech", targets: ["Speech"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        // C libraries reached through Debian's -dev packages (scripts/bootstrap installs them).
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSoxr", path: "Sources/CSoxr", pkgConfig: "soxr",
                       providers: [.apt(["libsoxr-dev"])]),

        .target(name: "AGI", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Depends on AGI for its peer allow-list only (AGIPeerFilter): the same type guards both servers.
        .target(name: "AudioSocket", dependencies: [
            "AGI",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "Cadence"),
        // The call side of issue 11: the greeting analysis on an AudioSocket connection, the
        // message after the beep. Knows nothing of the store.
        .target(name: "VoicemailDrop", dependencies: [
            "AudioSocket", "Greeting",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // Pure analysis of the callee's audio: person, machine and its beep, or a SIT intercept.
        .target(name: "Greeting"),
        .target(name: "Scripts", dependencies: [
            "Cadence",
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .target(name: "Store", dependencies: [
            "Cadence",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "Speech", dependencies: [
            "CCurl", "CSoxr",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Dialer", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "TouchBase", dependencies: [
            "AGI", "Cadence", "Scripts", "Store", "Speech", "Dialer",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "touchbase", dependencies: [
            "TouchBase", "AGI", "Cadence", "Store", "Scripts", "Speech", "Dialer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // CPU per frame and the figures on the corpus: `swift run -c release greeting-bench`.
        .executableTarget(name: "greeting-bench", dependencies: ["Greeting", "GreetingCorpusSupport"]),

        // Reads Tests/Fixtures/agi for the test targets that replay Asterisk's sessions.
        .target(name: "AGITestSupport", path: "Tests/AGITestSupport"),
        .testTarget(name: "AGITests", dependencies: [
            "AGI", "AGITestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Reads Tests/Fixtures/audiosocket for the AudioSocket and VoicemailDrop tests.
        .target(name: "AudioSocketTestSupport", dependencies: [
            "AudioSocket",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ], path: "Tests/AudioSocketTestSupport"),
        .testTarget(name: "AudioSocketTests", dependencies: [
            "AudioSocket", "AGI", "AudioSocketTestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOTestUtils", package: "swift-nio"),
        ]),
        .testTarget(name: "VoicemailDropTests", dependencies: [
            "VoicemailDrop", "AudioSocket", "AudioSocketTestSupport", "Greeting",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "CadenceTests", dependencies: [
            "Cadence",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        // Builds the greeting corpus (scripts/greeting-corpus) for GreetingTests and greeting-bench.
        .target(name: "GreetingCorpusSupport", dependencies: ["Greeting"], path: "Tests/GreetingCorpusSupport"),
        .testTarget(name: "GreetingTests", dependencies: ["Greeting", "GreetingCorpusSupport"]),
        .testTarget(name: "ScriptsTests", dependencies: ["Scripts", "Cadence"]),
        .testTarget(name: "DialerTests", dependencies: [
            "Dialer",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], exclude: ["Recordings"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Cadence"]),
        .testTarget(name: "SpeechTests", dependencies: [
            "Speech",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Fixtures"]),
        // Runs the built touchbase executable (found beside the test bundle) as a user would.
        .testTarget(name: "TouchBaseCommandTests", dependencies: ["touchbase"]),
        .testTarget(name: "TouchBaseTests", dependencies: [
            "TouchBase", "AGI", "AGITestSupport", "Cadence", "Store", "Dialer", "Speech", "Scripts",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
