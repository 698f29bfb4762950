import Cadence
import Dispatch
import Foundation
import Store
import Testing
import TouchBase

private let threeContacts = """
    name,phone,connection,topic
    Laura Harbolt,(617) 555-0100,we met last week at the networking group,the office move
    Bob Reyes,(617) 555-0101,we met last week at the networking group,the office move
    Ann Cole,(617) 555-0102,we met last week at the networking group,the office move
    """

private let laura = """
    name,phone,connection,topic
    Laura Harbolt,(617) 555-0100,we met last week at the networking group,the office move
    """

/// Asterisk's answers to the hook (`outcome`) on the agent's channel after the drop key sent
/// the callee's leg away: Dial() returned ANSWER, and the drop key's routine marked the call.
private func hookAnswers(linkedID: String, dropped: Bool = true) -> FakeAsterisk.Answer {
    { command in
        switch command {
        case "GET VARIABLE DIALSTATUS": return ["200 result=1 (ANSWER)"]
        case "GET VARIABLE HANGUPCAUSE": return ["200 result=1 (16)"]
        case "GET VARIABLE TOUCHBASE_DROPPED": return [dropped ? "200 result=1 (1)" : "200 result=0"]
        case "GET VARIABLE CHANNEL(linkedid)": return ["200 result=1 (\(linkedID))"]
        default: return ["200 result=0"]
        }
    }
}

/// Answers `command` only after `other` has run to its end, as when another channel's report
/// reaches TouchBase while this one waits in the dialplan.
private func answering(_ command: String, after other: @escaping @Sendable () async throws -> Void,
                       _ answer: @escaping FakeAsterisk.Answer) -> FakeAsterisk.Answer {
    { line in
        if line.hasPrefix(command) {
            let done = DispatchSemaphore(value: 0)
            Task {
                try? await other()
                done.signal()
            }
            done.wait()
        }
        return answer(line)
    }
}

/// What the store says about a contact after a dropped call: everything but the contact's own
/// name and id, and the moments the reports happened to arrive.
private struct DroppedCallRecord: Equatable {
    var origins: [CallOrigin]
    var outcomes: [DialOutcome?]
    var messagesLeft: [MessageStep?]
    var playedShares: [Double?]
    var voices: [String?]
    var promises: [String?]
    var uniqueIDs: [String?]
    var linkedIDs: [String?]
    var nextCalls: [Date?]
    var state: FollowUpState
    var timeline: [String?]

    init(_ h: Harness, _ contact: Contact) async throws {
        let calls = try await h.store.calls(contactID: contact.id!)
        origins = calls.map(\.origin)
        outcomes = calls.map(\.outcome)
        messagesLeft = calls.map(\.messageLeft)
        playedShares = calls.map(\.playedShare)
        voices = calls.map(\.voice)
        promises = calls.map(\.promise)
        uniqueIDs = calls.map(\.asteriskUniqueID)
        linkedIDs = calls.map(\.asteriskLinkedID)
        nextCalls = calls.map(\.nextCallStart)
        state = try #require(try await h.store.followUp(contactID: contact.id!))
        timeline = try await h.store.messages(contactID: contact.id!).map(\.promise)
    }
}

@Suite("The agent's drop and the dialplan hook: two reports, one call", .serialized)
struct DropHookTests {
    /// One hand-dialled call of `contact` that the agent dropped: the agent's channel has
    /// uniqueid (and the call's linkedid) `agent`, the callee's leg `callee`.
    private struct DroppedCall {
        var h: Harness
        var number: String
        var agent: String
        var callee: String

        func hook() async throws {
            _ = try await h.asterisk.session(route: "outcome", arguments: [number], environment: ["agi_uniqueid": agent],
                                             answer: hookAnswers(linkedID: agent))
        }

        func drop(_ answer: FakeAsterisk.Answer? = nil) async throws -> [String] {
            try await h.asterisk.session(route: "drop", arguments: ["\(number)@main"], environment: ["agi_uniqueid": callee],
                                         answer: answer ?? voicemailAnswers(callID: nil, linkedID: agent))
        }
    }

    /// Runs `body` once the hook has reported Laura's call, which the agent dropped.
    private func afterHook(_ body: @escaping @Sendable (Harness, Contact, DroppedCall) async throws -> Void) async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            let call = DroppedCall(h: h, number: "+16175550100", agent: "1795446000.21", callee: "1795446000.22")
            try await call.hook()
            try await body(h, contact, call)
        }
    }

    @Test("hook then drop, drop then hook, or the hook during the drop: one call, message 1 left, the next call when it promised")
    func bothOrdersEndAlike() async throws {
        try await Harness.run { h in
            let contacts = try await h.importContacts(threeContacts)
            let calls = [("+16175550100", "1795446000.21"), ("+16175550101", "1795446000.31"), ("+16175550102", "1795446000.41")]
                .map { DroppedCall(h: h, number: $0.0, agent: $0.1, callee: $0.1 + "1") }

            try await calls[0].hook()
            _ = try await calls[0].drop()
            _ = try await calls[1].drop()
            try await calls[1].hook()
            let third = calls[2]
            _ = try await third.drop(answering("EXEC WaitForSilence", after: { try await third.hook() },
                                               voicemailAnswers(callID: nil, linkedID: third.agent)))

            var records: [DroppedCallRecord] = []
            for contact in contacts { records.append(try await DroppedCallRecord(h, contact)) }
            let hookFirst = records[0]
            #expect(hookFirst.origins == [.drop])
            #expect(hookFirst.outcomes == [.voicemail(playedShare: 1)] && hookFirst.messagesLeft == [.first] && hookFirst.playedShares == [1])
            #expect(hookFirst.voices == ["espeak-ng:en-us"] && hookFirst.promises == ["tomorrow around noon"])
            #expect(hookFirst.state.phase == .active && hookFirst.state.step == .second && hookFirst.state.messagesLeft == 1)
            #expect(hookFirst.state.nextCall == hookFirst.state.promise?.window, "the next call is the one message 1 promised")
            #expect(hookFirst.nextCalls == [hookFirst.state.nextCall?.start])
            #expect(hookFirst.timeline == ["tomorrow around noon"], "the dropped message is in the contact's timeline")
            #expect(hookFirst.uniqueIDs == ["1795446000.21"] && hookFirst.linkedIDs == ["1795446000.21"],
                    "the agent's channel, whose CDR is the call's")
            for (index, record) in records.enumerated().dropFirst() {
                var same = record
                same.uniqueIDs = hookFirst.uniqueIDs
                same.linkedIDs = hookFirst.linkedIDs
                #expect(same == hookFirst, "order \(index)")
                #expect(record.uniqueIDs == [calls[index].agent] && record.linkedIDs == [calls[index].agent])
            }
            #expect(h.assembly.metrics.calls(outcome: "human") == 0, "nothing is reached")
        }
    }

    @Test("the hook marks the dropped call in Asterisk's CDR, and says nothing a person answered")
    func hookOfDroppedCallSetsUserfield() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            let call = DroppedCall(h: h, number: "+16175550100", agent: "1795446000.21", callee: "1795446000.22")
            let hook = try await h.asterisk.session(route: "outcome", arguments: [call.number], environment: ["agi_uniqueid": call.agent],
                                                    answer: hookAnswers(linkedID: call.agent))
            let open = try #require(try await h.store.calls(contactID: contact.id!).first)
            #expect(open.endedAt == nil && open.outcome == nil, "the drop's report settles it")
            #expect(hook.last == "SET VARIABLE CDR(userfield) \"\(open.callID)\"")
            #expect(try await h.store.followUp(contactID: contact.id!)?.phase == .active)
            let drop = try await call.drop()
            #expect(drop.last == "SET VARIABLE CDR(userfield) \"\(open.callID)\"")
        }
    }

    @Test("a callee who hangs up during the drop's greeting: a dial that left no message, and a retry")
    func calleeHangsUpDuringGreeting() async throws {
        try await afterHook { h, contact, call in
            let voicemail = voicemailAnswers(callID: nil, linkedID: call.agent)
            let commands = try await call.drop { command in
                command.hasPrefix("EXEC WaitForSilence") ? ["HANGUP", "200 result=-1"] : voicemail(command)
            }
            #expect(!commands.contains { $0.hasPrefix("STREAM FILE") })
            let calls = try await h.store.calls(contactID: contact.id!)
            #expect(calls.count == 1)
            #expect(calls.first?.outcome == .voicemail(playedShare: 0) && calls.first?.messageLeft == nil && calls.first?.playedShare == 0)
            let state = try #require(try await h.store.followUp(contactID: contact.id!))
            #expect(state.phase == .active && state.step == .first && state.dialsThisStep == 1 && state.messagesLeft == 0)
            #expect(state.nextCall != nil)
        }
    }

    @Test("a hook that says dropped, with no drop report after it, is settled by the dialer as a dial")
    func droppedCallWithoutDropIsReconciled() async throws {
        try await afterHook { h, contact, _ in
            let open = try #require(try await h.store.calls(contactID: contact.id!).first)
            h.clock.advance(30)
            #expect(await h.dialer.pass().reconciled.isEmpty)
            h.clock.advance(600)
            #expect(await h.dialer.pass().reconciled == [open.callID])
            let state = try #require(try await h.store.followUp(contactID: contact.id!))
            #expect(state.phase == .active && state.step == .first && state.dialsThisStep == 1)
        }
    }

    @Test("a drop whose extension is not the number still finds its contact through the call the hook recorded")
    func dropFindsContactThroughHook() async throws {
        try await afterHook { h, contact, call in
            _ = try await h.asterisk.session(route: "drop", arguments: ["trunk/sip:office@example.com"],
                                             environment: ["agi_uniqueid": call.callee],
                                             answer: voicemailAnswers(callID: nil, linkedID: call.agent))
            let calls = try await h.store.calls(contactID: contact.id!)
            #expect(calls.map(\.messageLeft) == [.first])
        }
    }

    @Test("a hand-dialled call a person answered, with no drop key pressed, is still a person reached")
    func answeredWithoutDropIsReached() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            _ = try await h.asterisk.session(route: "outcome", arguments: ["+16175550100"], environment: ["agi_uniqueid": "1795446000.21"],
                                             answer: hookAnswers(linkedID: "1795446000.21", dropped: false))
            #expect(try await h.store.calls(contactID: contact.id!).map(\.outcome) == [.human])
            #expect(try await h.store.followUp(contactID: contact.id!)?.phase == .reached)
        }
    }
}
