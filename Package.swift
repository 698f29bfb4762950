// swift-tools-version: 6.1
import PackageDescription

/// What Telemetry is made of: swift-log, swift-metrics over swift-prometheus, and the NIO HTTP
/// server Prometheus scrapes.
let telemetryLibraries: [Target.Dependency] = [
    .product(name: "Logging", package: "swift-log"),
    .product(name: "Metrics", package: "swift-metrics"),
    .product(name: "CoreMetrics", package: "swift-metrics"),
    .product(name: "Prometheus", package: "swift-prometheus"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
] + ["NIOCore", "NIOPosix", "NIOHTTP1", "NIOConcurrencyHelpers"].map { .product(name: $0, package: "swift-nio") }

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
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // The web console's HTTP server; FullFoundation only, not swift-configuration.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // C libraries reached through Debian's -dev packages (scripts/bootstrap installs them).
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSoxr", path: "Sources/CSoxr", pkgConfig: "soxr",
                       providers: [.apt(["libsoxr-dev"])]),

        // The neutral table every module reads its own settings from, without knowing TOML.
        .target(name: "Settings"),
        .target(name: "AGI", dependencies: [
            "Settings",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "Cadence", dependencies: ["Settings"]),
        // Depends on AGI for its peer allow-list only (AGIPeerFilter): the same type guards both servers.
        .target(name: "AudioSocket", dependencies: [
            "AGI", "Settings",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The call side of issue 11: the greeting analysis on an AudioSocket connection, the
        // message after the beep. Knows nothing of the store.
        .target(name: "VoicemailDrop", dependencies: [
            "AudioSocket", "Greeting", "Settings",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // Pure analysis of the callee's audio: person, machine and its beep, or a SIT intercept.
        .target(name: "Greeting"),
        .target(name: "Scripts", dependencies: [
            "Cadence",
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .target(name: "Store", dependencies: [
            "Cadence", "Settings",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The shared store for several nodes; its own module so only what wires it pulls in postgres-nio.
        .target(name: "PostgresStore", dependencies: [
            "Store", "Cadence",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Speech", dependencies: [
            "CCurl", "CSoxr", "Cadence", "Scripts", "Settings",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ]),
        .target(name: "Dialer", dependencies: [
            "Cadence", "Store", "Speech", "Settings",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The web console: pages, accounts, sessions, CSRF, server-sent events.
        // AGI for the words of a bind failure only (FastAGIServerError.reason), as the other servers say it.
        .target(name: "Console", dependencies: [
            "AGI", "Cadence", "Store", "Scripts", "Settings",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Logging and metrics: the console log handler, swift-metrics over swift-prometheus, and
        // the small HTTP endpoint Prometheus scrapes.
        .target(name: "Telemetry", dependencies: ["Settings"] + telemetryLibraries),
        // The configuration layer: the TOML file, its lines, and the composition of every
        // module's settings.
        .target(name: "ConfigurationFile", dependencies: [
            "Settings", "AGI", "AudioSocket", "Cadence", "Store", "Speech", "Dialer", "Telemetry", "VoicemailDrop", "Console",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .target(name: "TouchBase", dependencies: [
            "AGI", "Cadence", "Scripts", "Store", "PostgresStore", "Speech", "Dialer", "Settings", "Telemetry", "ConfigurationFile",
            "AudioSocket", "Greeting", "VoicemailDrop", "Console",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "touchbase", dependencies: [
            "TouchBase", "AGI", "Cadence", "Store", "PostgresStore", "Scripts", "Speech", "Dialer", "Settings", "Telemetry", "ConfigurationFile",
            "Console",
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
        // The wall-clock dates the Cadence and Store tests are written in.
        .target(name: "CadenceTestSupport", path: "Tests/CadenceTestSupport"),
        .testTarget(name: "CadenceTests", dependencies: [
            "Cadence", "CadenceTestSupport", "Settings",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        // Builds the greeting corpus (scripts/greeting-corpus) for GreetingTests and greeting-bench.
        .target(name: "GreetingCorpusSupport", dependencies: ["Greeting"], path: "Tests/GreetingCorpusSupport"),
        .testTarget(name: "GreetingTests", dependencies: ["Greeting", "GreetingCorpusSupport"]),
        .testTarget(name: "ScriptsTests", dependencies: ["Scripts", "Cadence"]),
        .testTarget(name: "DialerTests", dependencies: [
            "Dialer", "Cadence", "Store",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], exclude: ["Recordings"]),
        // The stores the store tests run against: a SQLite file, and PostgreSQL when scripts/with-postgres gives one.
        .target(name: "StoreTestSupport", dependencies: [
            "Store", "PostgresStore",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/StoreTestSupport"),
        .testTarget(name: "StoreTests", dependencies: [
            "Store", "PostgresStore", "StoreTestSupport", "Cadence", "CadenceTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "SpeechTests", dependencies: [
            "Speech",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry"] + telemetryLibraries),
        .testTarget(name: "ConfigurationFileTests", dependencies: [
            "ConfigurationFile", "Settings", "AGI", "AudioSocket", "Cadence", "Dialer", "Speech", "Telemetry", "VoicemailDrop", "Console",
        ]),
        // The console's pages through Hummingbird's test client: escaping, CSRF, owners kept apart.
        // TouchBase and Speech for a second node's audio server and the client that fetches from it.
        .testTarget(name: "ConsoleTests", dependencies: [
            "Console", "Store", "Cadence", "Scripts", "TouchBase", "Speech", "AGI",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        // Runs the built touchbase executable (found beside the test bundle) as a user would.
        .testTarget(name: "TouchBaseCommandTests", dependencies: [
            "touchbase", "StoreTestSupport", "AGITestSupport", "Store", "PostgresStore", "Cadence",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "TouchBaseTests", dependencies: [
            "TouchBase", "AGI", "AGITestSupport", "Cadence", "Store", "PostgresStore", "StoreTestSupport", "Dialer", "Speech", "Scripts", "Settings", "Telemetry",
            "ConfigurationFile", "AudioSocket", "AudioSocketTestSupport", "Greeting", "VoicemailDrop",
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
