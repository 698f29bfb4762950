import AudioSocket
import AudioSocketTestSupport
import NIOCore
import Testing

@Suite("Paced sending: 20 ms frames against the clock, silence to keep alive, the hangup frame")
struct AudioSocketPacingTests {
    /// Plays samples on a testing writer and returns the frames written and the clock's reading
    /// after each frame.
    static func play(_ samples: [Int16], clock: InstantClock = InstantClock(),
                     stallAt stall: Int? = nil) async throws -> ([AudioSocketFrame], [Duration], Int) {
        let (writer, sink) = NIOAsyncChannelOutboundWriter<AudioSocketFrame>.makeTestingWriter()
        let outbound = AudioSocketOutbound(writer: writer)
        var times: [Duration] = []
        let sent = try await outbound.play(samples, clock: clock) { sentSoFar in
            times.append(clock.now.offset)
            if sentSoFar == stall { clock.advance(by: .milliseconds(500)) }
        }
        try await outbound.hangUp()
        writer.finish()
        var frames: [AudioSocketFrame] = []
        for await frame in sink { frames.append(frame) }
        return (frames, times, sent)
    }

    @Test("message-sent.sln goes out as the exact bytes: 320-byte frames, the last padded, then 00 00 00")
    func messageBytes() async throws {
        let message = AudioSocketFixture.messageSamples
        let (frames, _, sent) = try await Self.play(message)
        #expect(sent == message.count)
        #expect(frames.count == 301)
        var expected: [UInt8] = []
        let file = AudioSocketFixture.messageBytes
        for start in stride(from: 0, to: file.count, by: 320) {
            let chunk = file[start..<min(start + 320, file.count)]
            expected += [0x10, 0x01, 0x40] + chunk + [UInt8](repeating: 0, count: 320 - chunk.count)
        }
        expected += [0x00, 0x00, 0x00]
        #expect(try wireBytes(frames) == expected)
    }

    @Test("frame n goes out at n × 20 ms, and the call returns once the last frame has played")
    func pacing() async throws {
        let clock = InstantClock()
        let (_, times, _) = try await Self.play([Int16](repeating: 7, count: 1000), clock: clock)
        #expect(times == (0..<7).map { .milliseconds(20 * $0) })
        #expect(clock.now.offset == .milliseconds(140))
    }

    @Test("a write that stalls past the lag limit restarts the pacing rather than bursting to catch up")
    func stallDoesNotBurst() async throws {
        let (_, times, _) = try await Self.play([Int16](repeating: 1, count: 160 * 5), stallAt: 320)
        #expect(times == [0, 20, 520, 540, 560].map { .milliseconds($0) })
    }

    @Test("keep-alive sends a 20 ms frame of silence every interval until cancelled")
    func keepAlive() async throws {
        let (writer, sink) = NIOAsyncChannelOutboundWriter<AudioSocketFrame>.makeTestingWriter()
        let clock = InstantClock()
        let task = Task { try await AudioSocketOutbound(writer: writer).keepAlive(every: .milliseconds(500), clock: clock) }
        var iterator = sink.makeAsyncIterator()
        for _ in 0..<3 {
            #expect(await iterator.next() == .audio(samples: [Int16](repeating: 0, count: 160)))
        }
        task.cancel()
        try await task.value
        #expect(clock.now.offset >= .milliseconds(1000))
    }
}
