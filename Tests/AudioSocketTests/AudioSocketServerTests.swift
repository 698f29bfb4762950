import AudioSocket
import AudioSocketTestSupport
import Logging
import NIOCore
import NIOPosix
import Testing
import struct Foundation.UUID

@Suite("AudioSocket server over loopback TCP")
struct AudioSocketServerTests {
    /// How a handler's connection ended, as the test sees it.
    struct Seen: Sendable, Equatable {
        var callID: UUID
        var audioFrames: Int
        var ending: String
    }

    /// Runs a server on a free loopback port for `body`, then stops it.
    static func withServer(
        _ body: (Int, AsyncStream<Seen>) async throws -> Void
    ) async throws {
        let (seen, seenSink) = AsyncStream<Seen>.makeStream()
        let (port, portSink) = AsyncStream<Int>.makeStream()
        let server = AudioSocketServer(
            configuration: .init(port: 0), logger: Logger(label: "test"),
            onListening: { portSink.yield($0.port ?? 0) }
        ) { connection, _ in
            var frames = 0
            do {
                for try await event in connection.inbound {
                    guard case .audio = event else { continue }
                    frames += 1
                    if frames == 576 {
                        try await connection.outbound.play([Int16](repeating: 9, count: 200), clock: ContinuousClock())
                        try await connection.outbound.hangUp()
                        seenSink.yield(Seen(callID: connection.callID, audioFrames: frames, ending: "hung up"))
                        return
                    }
                }
                seenSink.yield(Seen(callID: connection.callID, audioFrames: frames, ending: "peer closed"))
            } catch {
                seenSink.yield(Seen(callID: connection.callID, audioFrames: frames, ending: "\(error)"))
            }
        }
        let running = Task { try await server.run() }
        var ports = port.makeAsyncIterator()
        let bound = try #require(await ports.next())
        try await body(bound, seen)
        running.cancel()
        try await running.value
    }

    /// Connects, sends `bytes`, optionally closes its side, and returns every byte the server sent
    /// until it closed.
    static func exchange(port: Int, bytes: [UInt8], thenClose: Bool) async throws -> [UInt8] {
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
        return try await client.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
            if thenClose { outbound.finish() }
            var received: [UInt8] = []
            do {
                for try await chunk in inbound { received += chunk.readableBytesView }
            } catch {}
            return received
        }
    }

    @Test("a call's audio reaches the handler, and its paced reply and hangup frame reach Asterisk")
    func callRoundTrip() async throws {
        try await Self.withServer { port, seen in
            let reply = try await Self.exchange(port: port, bytes: AudioSocketFixture.greetingAndBeep.bytes, thenClose: false)
            var results = seen.makeAsyncIterator()
            #expect(await results.next() == Seen(callID: AudioSocketFixture.callID, audioFrames: 576, ending: "hung up"))
            let expected = try wireBytes([.audio(samples: [Int16](repeating: 9, count: 160)),
                                          .audio(samples: [Int16](repeating: 9, count: 40) + [Int16](repeating: 0, count: 120)),
                                          .hangup])
            #expect(reply == expected)
        }
    }

    @Test("a callee who hangs up ends the handler's inbound sequence without an error")
    func calleeHangsUp() async throws {
        try await Self.withServer { port, seen in
            let reply = try await Self.exchange(port: port, bytes: AudioSocketFixture.calleeHangsUp.bytes, thenClose: true)
            #expect(reply.isEmpty)
            var results = seen.makeAsyncIterator()
            #expect(await results.next() == Seen(callID: AudioSocketFixture.callID, audioFrames: 86, ending: "peer closed"))
        }
    }

    @Test("garbage closes that connection with a typed error, and the server goes on serving")
    func garbageClosesOnlyItsConnection() async throws {
        try await Self.withServer { port, seen in
            let uuid = Array(AudioSocketFixture.calleeHangsUp.bytes.prefix(19))
            _ = try await Self.exchange(port: port, bytes: uuid + [0x10, 0x00, 0x02, 1, 1, 0x42, 0x00, 0x00], thenClose: false)
            var results = seen.makeAsyncIterator()
            #expect(await results.next() == Seen(callID: AudioSocketFixture.callID, audioFrames: 1,
                                                 ending: "\(AudioSocketProtocolError.unknownKind(0x42))"))
            _ = try await Self.exchange(port: port, bytes: [0x42, 0x00, 0x00], thenClose: false)
            _ = try await Self.exchange(port: port, bytes: AudioSocketFixture.calleeHangsUp.bytes, thenClose: true)
            #expect(await results.next() == Seen(callID: AudioSocketFixture.callID, audioFrames: 86, ending: "peer closed"))
        }
    }
}
