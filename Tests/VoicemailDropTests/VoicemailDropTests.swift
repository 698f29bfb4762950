import AudioSocket
import AudioSocketTestSupport
import Greeting
import NIOCore
import Testing
import VoicemailDrop

/// A judge that answers `decision` once it has heard `after` samples.
struct ScriptedJudge: GreetingJudge {
    var decision: GreetingDecision
    var after: Int
    var heard = 0

    mutating func consume(_ samples: [Int16]) -> GreetingDecision {
        heard += samples.count
        return heard >= after ? decision : .listening
    }
}

/// One call on testing streams: the callee's side fed from `events`, the frames TouchBase sends
/// collected until `closeWhen` says Asterisk closes (or the sender finishes).
struct RecordedCall {
    var events: [AudioSocketEvent]
    /// Whether Asterisk closes right after the last event, as when the callee hangs up.
    var closeAfterEvents = false
    /// Given the frames sent so far, whether Asterisk closes the connection now, and how.
    var closeWhen: @Sendable ([AudioSocketFrame]) -> (any Error)?? = { frames in
        frames.last == .hangup ? .some(nil) : nil
    }

    func run<Judge: GreetingJudge, C: Clock>(
        judge: Judge, clock: C, keepAlive: Duration? = nil, message: [Int16] = AudioSocketFixture.messageSamples
    ) async throws -> (VoicemailDropOutcome, [AudioSocketFrame]) where C.Duration == Duration {
        let (inbound, source) = NIOAsyncChannelInboundStream<AudioSocketEvent>.makeTestingStream()
        let (writer, sink) = NIOAsyncChannelOutboundWriter<AudioSocketFrame>.makeTestingWriter()
        let connection = AudioSocketConnection(callID: AudioSocketFixture.callID, inbound: inbound, outbound: writer)
        for event in events { source.yield(event) }
        if closeAfterEvents { source.finish() }
        let call = Task {
            let outcome = await leaveMessageAfterGreeting(
                on: connection, detector: judge, settings: .init(keepAliveInterval: keepAlive), clock: clock
            ) { message }
            writer.finish()
            return outcome
        }
        var frames: [AudioSocketFrame] = []
        var closed = false
        for await frame in sink {
            frames.append(frame)
            if !closed, let close = closeWhen(frames) {
                closed = true
                if let error = close { source.finish(throwing: error) } else { source.finish() }
            }
        }
        if !closed && !closeAfterEvents { source.finish() }
        return (await call.value, frames)
    }
}

/// The audio frames among those sent.
func audioFrames(_ frames: [AudioSocketFrame]) -> [AudioSocketFrame] {
    frames.filter { if case .audio = $0 { true } else { false } }
}

@Suite("Leaving the message after the greeting, over AudioSocket")
struct VoicemailDropTests {
    @Test("the recorded mailbox: the real detector hears the beep, the whole message plays, then a hangup frame")
    func recordedMailbox() async throws {
        let call = RecordedCall(events: try AudioSocketFixture.greetingAndBeep.events())
        let (outcome, frames) = try await call.run(judge: GreetingDetector(), clock: InstantClock())
        guard case .machine(let end, let beep) = outcome.decision else {
            Issue.record("expected a machine, got \(outcome.decision)")
            return
        }
        #expect((7 * 8_000...9 * 8_000).contains(end))
        #expect(abs((beep?.frequency ?? 0) - 1_000) < 30)
        #expect(outcome.messageLeftWhole)
        #expect(outcome.messageSamplesPlayed == 47_950 && outcome.messageSampleCount == 47_950)
        #expect(outcome.ending == .hungUp)
        #expect(audioFrames(frames).count == 300)
        #expect(frames.last == .hangup)
        #expect(frames.first == .audio(samples: AudioSocketFixture.messageSamples.prefix(160)))
    }

    @Test("a callee who hangs up mid-message stops it: cut short, counted, and no hangup frame sent")
    func calleeHangsUpMidMessage() async throws {
        var call = RecordedCall(events: try AudioSocketFixture.calleeHangsUp.events())
        call.closeWhen = { frames in audioFrames(frames).count == 10 ? .some(nil) : nil }
        let judge = ScriptedJudge(decision: .machine(greetingEndedAt: 8_000, beep: nil), after: 8_000)
        let (outcome, frames) = try await call.run(judge: judge, clock: ContinuousClock())
        #expect(outcome.ending == .calleeHungUp)
        #expect(outcome.messageCutShort)
        #expect((1_600..<47_950).contains(outcome.messageSamplesPlayed))
        #expect(outcome.messageSamplesPlayed == audioFrames(frames).count * 160)
        #expect(!frames.contains(.hangup))
    }

    @Test("garbage from the peer mid-message is recorded as such, the message cut short")
    func garbageMidMessage() async throws {
        var call = RecordedCall(events: try AudioSocketFixture.calleeHangsUp.events())
        call.closeWhen = { frames in audioFrames(frames).count == 5 ? .some(AudioSocketProtocolError.unknownKind(0x42)) : nil }
        let judge = ScriptedJudge(decision: .machine(greetingEndedAt: 800, beep: nil), after: 800)
        let (outcome, _) = try await call.run(judge: judge, clock: ContinuousClock())
        #expect(outcome.ending == .peerSentGarbage(.unknownKind(0x42)))
        #expect(outcome.messageCutShort)
    }

    @Test("a person, or a number not in service, ends the AudioSocket at once with no message",
          arguments: [GreetingDecision.person(decidedAt: 12_000), .invalidNumber(decidedAt: 12_000)])
    func noMessage(decision: GreetingDecision) async throws {
        let call = RecordedCall(events: try AudioSocketFixture.calleeHangsUp.events())
        let (outcome, frames) = try await call.run(judge: ScriptedJudge(decision: decision, after: 12_000), clock: InstantClock())
        #expect(outcome.decision == decision)
        #expect(outcome.samplesHeard >= 12_000)
        #expect(outcome.ending == .hungUp)
        #expect(frames == [.hangup])
        #expect(!outcome.messageCutShort && outcome.messageSamplesPlayed == 0)
    }

    @Test("the callee hangs up before a decision: the outcome says so, with what was heard")
    func hangsUpWhileListening() async throws {
        let call = RecordedCall(events: try AudioSocketFixture.calleeHangsUp.events(), closeAfterEvents: true)
        let judge = ScriptedJudge(decision: .person(decidedAt: 0), after: .max)
        let (outcome, frames) = try await call.run(judge: judge, clock: InstantClock())
        #expect(outcome.decision == .listening)
        #expect(outcome.ending == .calleeHungUp)
        #expect(outcome.samplesHeard == 85 * 160 + 149)
        #expect(frames.isEmpty)
    }

    @Test("while it listens on a quiet line it sends silence to keep the application alive")
    func keepsLineAlive() async throws {
        let silence = AudioSocketFrame.audio(samples: [Int16](repeating: 0, count: 160))
        let call = RecordedCall(events: [], closeWhen: { frames in frames.count == 3 ? .some(nil) : nil })
        let judge = ScriptedJudge(decision: .person(decidedAt: 0), after: .max)
        let (outcome, frames) = try await call.run(judge: judge, clock: InstantClock(), keepAlive: .milliseconds(500))
        #expect(Array(frames.prefix(3)) == [silence, silence, silence])
        #expect(outcome.ending == .calleeHungUp)
    }

    @Test("a line that sends no frames in silence still gives the detector its silence, so it decides")
    func quietLineStillDecides() async throws {
        let judge = ScriptedJudge(decision: .person(decidedAt: 16_000), after: 16_000)
        let (outcome, frames) = try await RecordedCall(events: []).run(judge: judge, clock: InstantClock(),
                                                                       keepAlive: .milliseconds(500))
        #expect(outcome.decision == .person(decidedAt: 16_000))
        #expect(outcome.samplesHeard == 16_000)
        #expect(outcome.ending == .hungUp)
        #expect(frames.last == .hangup)
    }
}
