import AudioSocket
import AudioSocketTestSupport
import NIOCore
import NIOEmbedded
import Testing

@Suite("Sessions recorded from Asterisk 22.10.1, replayed through the pipeline")
struct RecordedAudioSocketTests {
    /// The sample counts of a session's audio events.
    static func frameSizes(_ events: [AudioSocketEvent]) -> [Int] {
        events.compactMap { event in
            if case .audio(let samples, .slin8k) = event { return samples.count }
            return nil
        }
    }

    @Test("every recording starts with the call's UUID and carries only 8 kHz audio after it",
          arguments: AudioSocketFixture.allCases)
    func uuidThenAudio(fixture: AudioSocketFixture) async throws {
        let (channel, session) = try makeAudioSocketPipeline()
        let events = try replay(fixture.bytes, into: channel, chunkSize: 777)
        #expect(try await session.callID.get() == AudioSocketFixture.callID)
        #expect(Self.frameSizes(events).count == events.count)
        channel.pipeline.fireChannelInactive()
        try channel.throwIfErrorCaught()
    }

    @Test("the mailbox sessions: every frame 320 bytes but two odd-sized ones (58 and 276 bytes)", arguments: [
        (AudioSocketFixture.greetingAndBeep, 576), (AudioSocketFixture.messagePlayed, 709),
    ])
    func mailboxFrames(fixture: AudioSocketFixture, frames: Int) throws {
        let (channel, _) = try makeAudioSocketPipeline()
        let sizes = Self.frameSizes(try replay(fixture.bytes, into: channel))
        #expect(sizes.count == frames)
        #expect(sizes.filter { $0 != 160 } == [29, 138])
        let total = (frames - 2) * 160 + 29 + 138
        #expect(sizes.reduce(0, +) == total)
    }

    @Test("the callee who hangs up: 86 frames, then a plain close with no hangup frame and no error")
    func calleeHangsUp() throws {
        let (channel, _) = try makeAudioSocketPipeline()
        let events = try replay(AudioSocketFixture.calleeHangsUp.bytes, into: channel, chunkSize: 1)
        #expect(Self.frameSizes(events).count == 86)
        #expect(!events.contains(.hangup))
        channel.pipeline.fireChannelInactive()
        try channel.throwIfErrorCaught()
        #expect(try channel.readInbound(as: AudioSocketEvent.self) == nil)
    }
}
