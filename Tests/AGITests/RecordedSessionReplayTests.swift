import AGITestSupport
import AGI
import Logging
import NIOCore
import NIOPosix
import Foundation
import Testing

@Suite("Recorded Asterisk sessions replayed")
struct RecordedSessionReplayTests {
    static let names = RecordedSession.allNames

    @Test("every recorded session has a dialog written for it")
    func everyRecordingIsCovered() {
        #expect(FileManager.default.fileExists(atPath: RecordedSession.folder.path),
                "recorded sessions not found at \(RecordedSession.folder.path)")
        #expect(Self.names.count >= 8)
        #expect(Set(Self.names) == Set(RecordedDialogs.all.keys))
    }

    @Test("the program sends the recorded commands byte for byte and reads each answer right",
          arguments: RecordedSession.allNames)
    func replayInMemory(name: String) async throws {
        let recording = try RecordedSession.load(name)
        try await replay(recording, to: try #require(RecordedDialogs.all[name]))
    }

    @Test("a FastAGI server over TCP speaks the recorded dialog and closes when the handler returns",
          arguments: RecordedSession.allNames.filter { $0.hasPrefix("fastagi-") })
    func replayOverTCP(name: String) async throws {
        let recording = try RecordedSession.load(name)
        try await replayOverTCP(recording, to: try #require(RecordedDialogs.all[name]))
    }

    /// The two ways a recording is replayed.
    enum ReplayWay: String, CaseIterable, Sendable { case inMemory = "in memory", overTCP = "over TCP" }

    @Test("a route that stops before the end of the recording fails the replay", arguments: ReplayWay.allCases)
    func shortRouteFails(way: ReplayWay) async throws {
        let recording = try RecordedSession.load("fastagi-answered-commands.txt")
        let short: AGIHandler = { session in _ = try await session.getVariable("DIALSTATUS") }
        let failure = await #expect(throws: FixtureError.self) {
            switch way {
            case .inMemory: try await replay(recording, to: short)
            case .overTCP: try await replayOverTCP(recording, to: short)
            }
        }
        let expected = way == .inMemory ? "recorded lines unplayed" : "the server closed where the recording has it write"
        #expect(failure?.description.contains(expected) == true, "\(failure.map(String.init(describing:)) ?? "no failure")")
    }

    /// Replays `recording` to `handler` in memory; throws unless the handler returned, the
    /// session completed, and the whole recording was played.
    func replay(_ recording: RecordedSession, to handler: @escaping AGIHandler) async throws {
        let hangup = AGIHangupSignal()
        var router = AGIRouter()
        let ended = NIOLockedBoolean()
        router.on("replay") { session in
            try await handler(session)
            ended.set()
        }
        let transport = FixtureTransport(recording, hangupSignal: hangup)
        let end = await router.runSession(over: transport, hangupSignal: hangup, route: "replay", logger: testLogger)
        guard end == .completed, ended.value else {
            throw FixtureError("\(recording.name): the session ended \(end), the handler \(ended.value ? "returned" : "did not return")")
        }
        try transport.verifyConsumed()
    }

    /// Plays `recording` to a FastAGI server running `handler` on the recording's route; throws
    /// if the server closes before the recording's end or sends anything after it.
    func replayOverTCP(_ recording: RecordedSession, to handler: @escaping AGIHandler) async throws {
        var router = AGIRouter()
        let scriptPath = try #require(recording.entries.first { $0.text.hasPrefix("agi_network_script:") })
            .text.dropFirst("agi_network_script: ".count).dropLast().split(separator: "?").first.map(String.init) ?? ""
        router.on(scriptPath, handler)

        try await withRunningServer(router: router) { port in
            try await AsteriskPeer.withConnection(port: port) { peer in
                try await peer.play(recording)
                #expect(try await peer.readToEnd().isEmpty, "nothing after the last command; the server closed")
            }
        }
    }
}

/// A thread-safe flag for tests.
final class NIOLockedBoolean: Sendable {
    private let box = NIOLockedValueBox(false)
    func set() { box.withLockedValue { $0 = true } }
    var value: Bool { box.withLockedValue { $0 } }
}

import NIOConcurrencyHelpers

/// Runs a FastAGI server on a free loopback port for the duration of `body`.
func withRunningServer(router: AGIRouter, configuration: FastAGIServer.Configuration = .init(port: 0),
                       _ body: @Sendable (Int) async throws -> Void) async throws {
    var configuration = configuration
    configuration.port = 0
    let (addresses, continuation) = AsyncStream.makeStream(of: Int.self)
    let server = FastAGIServer(configuration: configuration, router: router, logger: testLogger) { address in
        continuation.yield(address.port ?? 0)
        continuation.finish()
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        var iterator = addresses.makeAsyncIterator()
        let port = try #require(await iterator.next())
        do {
            try await body(port)
        } catch {
            server.beginShutdown()
            throw error
        }
        server.beginShutdown()
        try await group.waitForAll()
    }
}

/// Plays Asterisk's side of FastAGI over a real TCP connection.
struct AsteriskPeer {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var pending: [UInt8] = []

    static func connect(port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Connects, runs `body` with the peer, then closes.
    static func withConnection<T: Sendable>(port: Int, _ body: (inout AsteriskPeer) async throws -> T) async throws -> T {
        let channel = try await connect(port: port)
        return try await channel.executeThenClose { inbound, outbound in
            var peer = AsteriskPeer(outbound: outbound, inbound: inbound.makeAsyncIterator())
            return try await body(&peer)
        }
    }

    func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Reads one line the program sent, or `nil` at end of stream.
    mutating func readLine() async throws -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[...newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                return line
            }
            guard let buffer = try await inbound.next() else { return nil }
            pending.append(contentsOf: buffer.readableBytesView)
        }
    }

    mutating func readToEnd() async throws -> [UInt8] {
        while let buffer = try await inbound.next() { pending.append(contentsOf: buffer.readableBytesView) }
        defer { pending = [] }
        return pending
    }

    /// Sends the recording's Asterisk side, checking each program line as it comes.
    mutating func play(_ recording: RecordedSession) async throws {
        for entry in recording.entries {
            switch entry.direction {
            case .fromAsterisk:
                try await send(entry.bytes)
            case .fromProgram:
                guard let line = try await readLine() else {
                    throw FixtureError("\(recording.name): the server closed where the recording has it write \(entry.text.debugDescription)")
                }
                #expect(line == entry.text, "\(recording.name)")
            case .event:
                continue
            }
        }
    }
}

/// A logger that keeps test output readable; set TOUCHBASE_TEST_LOGS=1 to see the logs.
let testLogger: Logger = {
    if ProcessInfo.processInfo.environment["TOUCHBASE_TEST_LOGS"] != nil { return Logger(label: "test") }
    return Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
}()
