// swift-tools-version: 6.1
// A minimal SwiftNIO FastAGI server that sends the `bench` dialog from a plain
// ChannelInboundHandler (no async tasks, no AGI module): the ceiling a SwiftNIO server reaches
// on this machine with agi-load, as a reference beside TouchBase in Benchmarks/run.
import PackageDescription

let package = Package(
    name: "nio-reference",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        .executableTarget(name: "nio-reference-server", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
