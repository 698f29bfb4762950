import AudioSocket
import AudioSocketTestSupport
import Cadence
import ConfigurationFile
import Foundation
import NIOCore
import Store
import Testing
import TouchBase

private let laura = """
    name,phone,connection,topic
    Laura Harbolt,(617) 555-0100,we met last week at the networking group,the office move
    """

/// Asterisk's answers on the `answered` route after an AudioSocket: AMD did not run.
private func afterAudioSocket(callID: String) -> FakeAsterisk.Answer {
    { command in
        switch command {
        case "GET VARIABLE AMDSTATUS", "GET VARIABLE AMDCAUSE": return ["200 result=0"]
        case "GET VARIABLE TOUCHBASE_CALL": return ["200 result=1 (\(callID))"]
        default: return ["200 result=0"]
        }
    }
}

/// 8 kHz audio events, 20 ms a frame.
private func audioEvents(_ samples: [Int16]) -> [AudioSocketEvent] {
    stride(from: 0, to: samples.count, by: 160).map { .audio(samples: Array(samples[$0..<min($0 + 160, samples.count)]), rate: .slin8k) }
}

/// A sine tone at 8 kHz.
private func tone(_ hertz: Double, _ seconds: Double) -> [Int16] {
    (0..<Int(seconds * 8_000)).map { Int16(10_000 * sin(2 * .pi * hertz * Double($0) / 8_000)) }
}

/// The number of audio frames among those sent.
private func audioFrameCount(_ frames: [AudioSocketFrame]) -> Int {
    frames.filter { if case .audio = $0 { true } else { false } }.count
}

@Suite("TouchBase's own greeting detection over AudioSocket, end to end", .serialized)
struct GreetingCallTests {
    /// Places Laura's call, then runs its AudioSocket with `peer` (paced by a clock that needs no
    /// waiting) and returns the call id, the frames sent and the call as stored.
    private func call(_ h: Harness, _ peer: AsteriskAudioSocketPeer) async throws -> (String, [AudioSocketFrame], CallRecord) {
        _ = try await h.importContacts(laura)
        let callID = try #require(await h.dialer.pass().placed.first)
        let placed = try #require(try await h.store.call(callID: callID))
        let audioSocketID = try #require(placed.audioSocketID)
        let handler = Self.instant(h.assembly.greetingCalls)
        h.clock.advance(30)
        let frames = await peer.connect(callID: audioSocketID) { await handler.handle($0, logger: testLogger) }
        return (callID, frames, try #require(try await h.store.call(callID: callID)))
    }

    /// The handler paced by a clock that needs no waiting.
    private static func instant(_ handler: GreetingCallHandler) -> GreetingCallHandler {
        var handler = handler
        handler.pacing = InstantClock()
        return handler
    }

    private static func quiet(_ configuration: inout TouchBaseConfiguration) {
        configuration.greeting.drop.keepAliveInterval = nil
    }

    @Test("the recorded mailbox: beep heard, the whole message streamed, then the route records message 1 and the promised call")
    func mailboxGetsTheWholeMessage() async throws {
        try await Harness.run(configure: Self.quiet) { h in
            let peer = AsteriskAudioSocketPeer(events: try AudioSocketFixture.greetingAndBeep.events())
            let (callID, frames, stored) = try await call(h, peer)
            let greeting = try #require(stored.greeting)
            #expect(greeting.verdict == .machine)
            #expect(abs((greeting.beepFrequency ?? 0) - 1_000) < 30)
            #expect((67_367...67_367 + 2_400).contains(greeting.greetingEndedAt ?? 0))
            #expect((0...300 * 8).contains((greeting.decidedAt ?? 0) - (greeting.greetingEndedAt ?? 0)), "decided within 300 ms of the end")
            #expect(greeting.messageSampleCount > 8_000 && greeting.messageSamplesPlayed == greeting.messageSampleCount)
            #expect(greeting.ending == "hung-up")
            #expect(audioFrameCount(frames) == (greeting.messageSampleCount + 159) / 160)
            #expect(frames.last == .hangup)
            #expect(stored.outcome == nil, "the dialplan goes on: the route records the call")

            let commands = try await h.asterisk.session(route: "answered", answer: afterAudioSocket(callID: callID))
            #expect(commands == ["GET VARIABLE AMDSTATUS", "GET VARIABLE AMDCAUSE", "GET VARIABLE TOUCHBASE_CALL",
                                 "GET VARIABLE CHANNEL(linkedid)", "SET VARIABLE CDR(userfield) \"\(callID)\""])
            let call = try #require(try await h.store.call(callID: callID))
            #expect(call.outcome == .voicemail(playedShare: 1))
            #expect(call.messageLeft == .first && call.promise == "tomorrow around noon")
            let state = try #require(try await h.store.followUp(contactID: call.contactID))
            #expect(state.step == .second)
            #expect(state.nextCall == call.plannedMessage?.promise?.window)
        }
    }

    @Test("a person (the recorded 'Hello? Who is this?', then silence): hangup frame at once, no message, the owner rings")
    func personIsConnected() async throws {
        try await Harness.run(configure: Self.quiet) { h in
            let events = try AudioSocketFixture.calleeHangsUp.events() + audioEvents([Int16](repeating: 0, count: 4 * 8_000))
            let (callID, frames, stored) = try await call(h, AsteriskAudioSocketPeer(events: events))
            #expect(stored.greeting?.verdict == .person)
            #expect(frames == [.hangup])
            let commands = try await h.asterisk.session(route: "answered", answer: afterAudioSocket(callID: callID))
            #expect(commands.last == "EXEC Dial PJSIP/101,30,r")
            #expect(!commands.contains { $0.hasPrefix("STREAM FILE") || $0.hasPrefix("EXEC WaitForSilence") })
            let call = try #require(try await h.store.call(callID: callID))
            #expect(call.outcome == .human)
            #expect(try await h.store.followUp(contactID: call.contactID)?.phase == .reached)
        }
    }

    @Test("the callee hangs up before a decision (the recorded call ends with a close): settled here as no answer, tried again")
    func hangUpBeforeDecision() async throws {
        try await Harness.run(configure: Self.quiet) { h in
            let peer = AsteriskAudioSocketPeer(events: try AudioSocketFixture.calleeHangsUp.events(), closeAfterEvents: true)
            let (_, frames, stored) = try await call(h, peer)
            #expect(frames.isEmpty)
            #expect(stored.greeting?.verdict == .undecided && stored.greeting?.ending == "callee-hung-up")
            #expect(stored.outcome == .noAnswer)
            let state = try #require(try await h.store.followUp(contactID: stored.contactID))
            #expect(state.phase == .active && state.step == .first && state.dialsThisStep == 1)
            #expect(try #require(state.nextCall).start > h.clock.now)
        }
    }

    @Test("the callee hangs up mid-message: the AudioSocket side records it cut short, and the step is tried again")
    func hangUpMidMessage() async throws {
        try await Harness.run(configure: Self.quiet) { h in
            let peer = AsteriskAudioSocketPeer(events: try AudioSocketFixture.greetingAndBeep.events()) { frames in
                audioFrameCount(frames) == 50 ? .some(nil) : nil
            }
            let (_, frames, stored) = try await call(h, peer)
            #expect(!frames.contains(.hangup))
            let greeting = try #require(stored.greeting)
            #expect(greeting.ending == "callee-hung-up")
            #expect((50 * 160..<greeting.messageSampleCount).contains(greeting.messageSamplesPlayed))
            #expect(stored.outcome?.reachedVoicemail == true && (stored.outcome?.playedShare ?? 1) < 1)
            #expect(stored.messageLeft == nil)
            let state = try #require(try await h.store.followUp(contactID: stored.contactID))
            #expect(state.phase == .active && state.step == .first && state.messagesLeft == 0)
            #expect(state.nextCall != nil)
        }
    }

    @Test("garbage from the peer, or a connection that drops, mid-message: logged, a message cut short, tried again; the route after AMD adds nothing",
          arguments: [(AudioSocketProtocolError.unknownKind(0x42) as any Error, "peer-sent-garbage"),
                      (ChannelError.ioOnClosedChannel, "connection-dropped")])
    func failureMidMessage(failure: any Error, ending: String) async throws {
        try await Harness.run(configure: Self.quiet) { h in
            let peer = AsteriskAudioSocketPeer(events: try AudioSocketFixture.greetingAndBeep.events()) { frames in
                audioFrameCount(frames) == 5 ? .some(failure) : nil
            }
            let (callID, _, stored) = try await call(h, peer)
            #expect(stored.greeting?.ending?.hasPrefix(ending) == true, "\(stored.greeting?.ending ?? "none")")
            #expect(stored.outcome?.reachedVoicemail == true && stored.messageLeft == nil)
            #expect(try await h.store.followUp(contactID: stored.contactID)?.step == .first)
            // TryExec goes on to AMD and the route: the call is settled, nothing is played.
            let commands = try await h.asterisk.session(route: "answered", answer: voicemailAnswers(callID: callID))
            #expect(commands == ["GET VARIABLE AMDSTATUS", "GET VARIABLE AMDCAUSE", "GET VARIABLE TOUCHBASE_CALL",
                                 "GET VARIABLE CHANNEL(linkedid)"])
            #expect(try await h.store.call(callID: callID)?.outcome == stored.outcome)
        }
    }

    @Test("a number-not-in-service intercept (three rising tones): hangup frame, and the follow-up ends as an invalid number")
    func interceptEndsTheFollowUp() async throws {
        try await Harness.run(configure: Self.quiet) { h in
            let sit = tone(913.8, 0.274) + tone(1370.6, 0.274) + tone(1776.7, 0.380)
            let events = audioEvents([Int16](repeating: 0, count: 2_400) + sit + [Int16](repeating: 0, count: 3 * 8_000))
            let (callID, frames, stored) = try await call(h, AsteriskAudioSocketPeer(events: events))
            #expect(stored.greeting?.verdict == .invalidNumber)
            #expect(frames == [.hangup])
            _ = try await h.asterisk.session(route: "answered", answer: afterAudioSocket(callID: callID))
            let call = try #require(try await h.store.call(callID: callID))
            #expect(call.outcome == .invalidNumber)
            #expect(try await h.store.followUp(contactID: call.contactID)?.phase == .stopped(reason: "the number does not exist"))
        }
    }

    @Test("no greeting result and no AMD (the dialplan ran neither): logged, and the step is tried again")
    func noResultNoAMD() async throws {
        try await Harness.run { h in
            _ = try await h.importContacts(laura)
            let callID = try #require(await h.dialer.pass().placed.first)
            h.clock.advance(30)
            let commands = try await h.asterisk.session(route: "answered", answer: afterAudioSocket(callID: callID))
            #expect(!commands.contains { $0.hasPrefix("STREAM FILE") })
            let call = try #require(try await h.store.call(callID: callID))
            #expect(call.outcome?.name == "unknown")
            #expect(try await h.store.followUp(contactID: call.contactID)?.phase == .active)
        }
    }

    @Test("a call TouchBase does not know gets a hangup frame at once, so the dialplan goes on")
    func unknownCallHangsUp() async throws {
        try await Harness.run(configure: Self.quiet) { h in
            let handler = Self.instant(h.assembly.greetingCalls)
            let frames = await AsteriskAudioSocketPeer(events: try AudioSocketFixture.greetingAndBeep.events())
                .connect(callID: AudioSocketFixture.callID) { await handler.handle($0, logger: testLogger) }
            #expect(frames == [.hangup])
        }
    }
}
