import AudioSocket
import AudioSocketTestSupport
import Foundation
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@Suite("AudioSocket frame decoder, encoder and session state machine")
struct AudioSocketCodecTests {
    static let id = AudioSocketFixture.callID

    @Test("the decoder frames every kind however the bytes are split")
    func decoderVerifier() throws {
        let audio = AudioSocketFrame.audio(samples: [1, -2, 300, -32768, 32767])
        let pairs: [(ByteBuffer, [AudioSocketFrame])] = [
            (ByteBuffer(bytes: try wireBytes([.uuid(Self.id)])), [.uuid(Self.id)]),
            (ByteBuffer(bytes: try wireBytes([audio, .dtmf("#")])), [audio, .dtmf("#")]),
            (ByteBuffer(bytes: [0x12, 0x00, 0x02, 0x01, 0x00]), [.audio(ByteBuffer(bytes: [1, 0]), rate: .slin16k)]),
            (ByteBuffer(bytes: [0xFF, 0x00, 0x01, 0x02, 0xFF, 0x00, 0x00]), [.error(.frameForwardingFailed), .error(nil)]),
            (ByteBuffer(bytes: [0x00, 0x00, 0x00]), [.hangup]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { AudioSocketFrameDecoder() }
    }

    @Test("a UUID frame is kind 0x01 with the 16 bytes of the UUID, and the samples are little-endian")
    func encoderLayout() throws {
        #expect(try wireBytes([.uuid(Self.id)]) == [0x01, 0x00, 0x10, 0x3c, 0x6e, 0x2f, 0x1a, 0x9b, 0x0d, 0x4e, 0x57,
                                                    0x8a, 0x21, 0x5f, 0x0c, 0x7d, 0x9e, 0x4b, 0x12])
        #expect(try wireBytes([.audio(samples: [0x0102, -1])]) == [0x10, 0x00, 0x04, 0x02, 0x01, 0xFF, 0xFF])
        #expect(try wireBytes([.hangup, .dtmf("5"), .error(.callerHungUp)]) == [0, 0, 0, 3, 0, 1, 0x35, 0xFF, 0, 1, 1])
        #expect(AudioSocketFrame.samples(of: ByteBuffer(bytes: [0x02, 0x01, 0xFF, 0xFF])) == [0x0102, -1])
    }

    @Test("garbage fails the channel with a typed error and closes it", arguments: [
        ([0x42, 0x00, 0x00], AudioSocketProtocolError.unknownKind(0x42)),
        ([0x10, 0xFF, 0xFF], .payloadTooLong(kind: 0x10, length: 65535, limit: 8192)),
        ([0x10, 0x00, 0x03, 1, 2, 3], .malformedPayload(kind: 0x10, length: 3, expected: "a whole number of 16-bit samples")),
        ([0x01, 0x00, 0x04, 1, 2, 3, 4], .malformedPayload(kind: 0x01, length: 4, expected: "16 bytes of UUID")),
        ([0x03, 0x00, 0x01, 0x07], .malformedPayload(kind: 0x03, length: 1, expected: "a DTMF digit (0-9, *, #, A-D), not 0x07")),
        ([0x10, 0x00, 0x02, 0, 0], .unexpectedFrame(kind: 0x10, during: "before the UUID frame")),
    ] as [([UInt8], AudioSocketProtocolError)])
    func garbageCloses(bytes: [UInt8], expected: AudioSocketProtocolError) async throws {
        let (channel, session) = try makeAudioSocketPipeline()
        #expect(throws: expected) { try channel.writeInbound(ByteBuffer(bytes: bytes)) }
        #expect(!channel.isActive)
        await #expect(throws: expected) { try await session.callID.get() }
    }

    @Test("an over-long length fails at the header, before its payload is awaited")
    func overLongFailsEarly() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(AudioSocketFrameDecoder(maximumPayloadLength: 320)))
        #expect(throws: AudioSocketProtocolError.payloadTooLong(kind: 0x10, length: 322, limit: 320)) {
            try channel.writeInbound(ByteBuffer(bytes: [0x10, 0x01, 0x42]))
        }
    }

    @Test("a stream that ends inside a frame is a truncated frame, not a silent drop")
    func truncatedStream() throws {
        let (channel, _) = try makeAudioSocketPipeline()
        let bytes = try wireBytes([.uuid(Self.id)]) + [0x10, 0x01, 0x40] + [UInt8](repeating: 0, count: 100)
        _ = try replay(bytes, into: channel)
        #expect(throws: AudioSocketProtocolError.truncatedFrame(bytesReceived: 103)) {
            channel.pipeline.fireChannelInactive()
            try channel.throwIfErrorCaught()
        }
    }

    @Test("the session awaits the UUID, streams, and drops what arrives after a hangup")
    func stateMachine() {
        var machine = AudioSocketSessionStateMachine()
        #expect(machine.received(.uuid(Self.id)) == .start(Self.id))
        #expect(machine.state == .streaming(Self.id))
        #expect(machine.received(.audio(samples: [5, 6])) == .deliver(.audio(samples: [5, 6], rate: .slin8k)))
        #expect(machine.received(.dtmf("1")) == .deliver(.dtmf("1")))
        #expect(machine.received(.error(.memoryError)) == .deliver(.error(.memoryError)))
        machine.sendingHangup()
        #expect(machine.received(.audio(samples: [0])) == .ignore)
        #expect(machine.closed() == nil)

        var second = AudioSocketSessionStateMachine()
        _ = second.received(.uuid(Self.id))
        #expect(second.received(.uuid(Self.id)) == .fail(.unexpectedFrame(kind: 0x01, during: "after the UUID was given")))

        var early = AudioSocketSessionStateMachine()
        #expect(early.closed() == .closedBeforeUUID)

        var peerHangup = AudioSocketSessionStateMachine()
        _ = peerHangup.received(.uuid(Self.id))
        #expect(peerHangup.received(.hangup) == .deliver(.hangup))
        #expect(peerHangup.state == .ended)
    }
}
