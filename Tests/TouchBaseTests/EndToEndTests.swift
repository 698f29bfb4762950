import AGI
import AGITestSupport
import Cadence
import Dialer
import Foundation
import Store
import Telemetry
import Testing
import TouchBase

private let laura = """
    name,phone,connection,topic
    Laura Harbolt,(617) 555-0100,we met last week at the networking group,the office move
    """

@Suite("TouchBase end to end: the dialer, the AGI routes over TCP, the store", .serialized)
struct EndToEndTests {
    @Test("a due contact gets a call file, voicemail gets message 1 after the beep, and the next call is the one promised")
    func voicemailLeavesMessageOneAndKeepsPromise() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            let pass = await h.dialer.pass()
            #expect(pass.placed.count == 1)
            let callID = try #require(pass.placed.first)

            let files = try h.callFiles()
            let file = try #require(files["touchbase-\(callID).call"])
            let fields = Dictionary(file.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
            #expect(fields["Channel"] == "PJSIP/+16175550100@main")
            #expect(fields["CallerID"] == "\"Sam Ortiz\" <+16175550199>")
            #expect(fields["MaxRetries"] == "0")
            #expect(fields["Context"] == "touchbase-outbound")
            #expect(fields["Extension"] == "answered")
            let audioSocketID = try #require(try await h.store.call(callID: callID)?.audioSocketID)
            #expect(file.filter { $0.key == "Setvar" }.map(\.value) == [
                "TOUCHBASE_CALL=\(callID)", "CDR(userfield)=\(callID)", "TOUCHBASE_DETECTOR=touchbase",
                "TOUCHBASE_AUDIOSOCKET_ID=\(audioSocketID.uuidString.lowercased())",
            ])

            h.clock.advance(40)
            let commands = try await h.asterisk.session(route: "answered", environment: ["agi_uniqueid": "1795446040.12"],
                                                       answer: voicemailAnswers(callID: callID, linkedID: "1795446040.12"))
            #expect(commands.count == 7)
            #expect(Array(commands.prefix(4)) == ["GET VARIABLE AMDSTATUS", "GET VARIABLE AMDCAUSE", "GET VARIABLE TOUCHBASE_CALL",
                                                  "GET VARIABLE CHANNEL(linkedid)"])
            #expect(commands[4] == "EXEC WaitForSilence 1500,1,20")
            #expect(commands[5].hasPrefix("STREAM FILE \(h.folder.path)/sounds/tb-"))
            #expect(commands[6] == "SET VARIABLE CDR(userfield) \"\(callID)\"")

            let call = try #require(try await h.store.call(callID: callID))
            #expect(call.outcome?.name == "voicemail")
            #expect(call.asteriskUniqueID == "1795446040.12" && call.asteriskLinkedID == "1795446040.12")
            #expect(call.messageLeft == .first)
            #expect(call.voice == "espeak-ng:en-us")
            #expect(call.promise == "tomorrow around noon")
            let state = try #require(try await h.store.followUp(contactID: contact.id!))
            #expect(state.step == .second)
            #expect(state.nextCall == call.plannedMessage?.promise?.window)
            let messages = try await h.store.messages(contactID: contact.id!)
            #expect(messages.count == 1)
            #expect(messages[0].text.contains("Laura Harbolt") && messages[0].text.contains("tomorrow around noon"))
            #expect(h.assembly.metrics.calls(outcome: "voicemail") == 1)
        }
    }

    @Test("three messages, then the pipeline, for one contact across a simulated week; every call comes when promised")
    func threeMessagesThenPipelineAcrossAWeek() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            var promised: CallingWindow?
            var busyOnce = true
            for _ in 0..<8 {
                let state = try #require(try await h.store.followUp(contactID: contact.id!))
                guard state.phase == .active, let next = state.nextCall else { break }
                if h.clock.now < next.start { h.clock.set(next.start.addingTimeInterval(60)) }
                let pass = await h.dialer.pass()
                let callID = try #require(pass.placed.first, "a call at \(h.clock.now) for the window \(next)")
                if let promised { #expect(promised.contains(h.clock.now), "the call came inside the promised window") }
                try h.takeCallFiles()
                h.clock.advance(45)
                if state.step == .second && busyOnce {
                    busyOnce = false
                    _ = try await h.asterisk.session(route: "failed", answer: failedAnswers(callID: callID, reason: 5))
                    #expect(try await h.store.call(callID: callID)?.outcome == .busy)
                    promised = nil
                    continue
                }
                _ = try await h.asterisk.session(route: "answered", answer: voicemailAnswers(callID: callID))
                promised = try await h.store.followUp(contactID: contact.id!)?.promise?.window
            }
            let calls = try await h.store.calls(contactID: contact.id!)
            #expect(calls.map { $0.outcome?.name } == ["voicemail", "busy", "voicemail", "voicemail"])
            #expect(calls.compactMap(\.messageLeft) == [.first, .second, .last])
            let final = try #require(try await h.store.followUp(contactID: contact.id!))
            guard case .parked(let until, _) = final.phase else {
                Issue.record("expected parked, got \(final.phase)")
                return
            }
            #expect(until.timeIntervalSince(calls.last!.startedAt) > 89 * 86_400)
            #expect(Set(final.messageBands).count == 3, "message 3 came at a part of the day no earlier message used")
            #expect(calls.last!.startedAt.timeIntervalSince(calls.first!.startedAt) < 8 * 86_400)
            #expect(await h.dialer.pass().placed.isEmpty)
        }
    }

    @Test("a person who answers is reached and connected to the owner")
    func personAnsweredIsConnectedToOwner() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            let callID = try #require(await h.dialer.pass().placed.first)
            let commands = try await h.asterisk.session(route: "answered") { command in
                switch command {
                case "GET VARIABLE AMDSTATUS": return ["200 result=1 (HUMAN)"]
                case "GET VARIABLE AMDCAUSE": return ["200 result=1 (HUMAN-500-500)"]
                case "GET VARIABLE TOUCHBASE_CALL": return ["200 result=1 (\(callID))"]
                default: return ["200 result=0"]
                }
            }
            #expect(commands.suffix(3) == ["SET VARIABLE CALLERID(num) \"+16175550100\"",
                                           "SET VARIABLE CALLERID(name) \"Laura Harbolt\"", "EXEC Dial PJSIP/101,30,r"])
            #expect(!commands.contains { $0.hasPrefix("STREAM FILE") })
            #expect(try await h.store.call(callID: callID)?.outcome == .human)
            #expect(try await h.store.followUp(contactID: contact.id!)?.phase == .reached)
        }
    }

    @Test("a callee who hangs up mid-message: logged with what played, not counted, and tried again later")
    func hangUpMidMessageIsRetried() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            let callID = try #require(await h.dialer.pass().placed.first)
            let commands = try await h.asterisk.session(route: "answered",
                                                       answer: voicemailAnswers(callID: callID, share: 0.3, hangUpDuringMessage: true))
            #expect(commands.last == "SET VARIABLE CDR(userfield) \"\(callID)\"")
            let call = try #require(try await h.store.call(callID: callID))
            #expect(call.outcome?.name == "voicemail")
            #expect(call.messageLeft == nil)
            #expect(abs((call.playedShare ?? 0) - 0.3) < 0.01)
            let state = try #require(try await h.store.followUp(contactID: contact.id!))
            #expect(state.step == .first && state.messagesLeft == 0 && state.dialsThisStep == 1)
            #expect(state.nextCall!.start.timeIntervalSince(h.clock.now) >= 3 * 3600 - 1)
        }
    }

    @Test("a callee who hangs up while TouchBase waits for the beep is logged at once, not left to reconciliation")
    func hangUpBeforeTheBeep() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            let callID = try #require(await h.dialer.pass().placed.first)
            let machine = voicemailAnswers(callID: callID)
            let commands = try await h.asterisk.session(route: "answered") { command in
                // As a real Asterisk 22 did: WaitForSilence answers, then HANGUP, then 511.
                if command.hasPrefix("EXEC WaitForSilence") { return ["200 result=0", "HANGUP"] }
                if command.hasPrefix("STREAM FILE") { return ["511 Command Not Permitted on a dead channel or intercept routine"] }
                return machine(command)
            }
            #expect(commands.last == "SET VARIABLE CDR(userfield) \"\(callID)\"")
            let call = try #require(try await h.store.call(callID: callID))
            #expect(call.outcome?.name == "voicemail" && call.messageLeft == nil && call.playedShare == 0)
            #expect(try await h.store.followUp(contactID: contact.id!)?.dialsThisStep == 1)
        }
    }

    @Test("no answer through the failed extension is a dial, not a message")
    func noAnswerIsADial() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            let callID = try #require(await h.dialer.pass().placed.first)
            let commands = try await h.asterisk.session(route: "failed", answer: failedAnswers(callID: callID, reason: 3))
            #expect(commands == ["GET VARIABLE REASON", "GET VARIABLE TOUCHBASE_CALL", "GET VARIABLE DIALSTATUS",
                                 "GET VARIABLE HANGUPCAUSE", "GET VARIABLE CHANNEL(linkedid)", "SET VARIABLE CDR(userfield) \"\(callID)\""])
            #expect(try await h.store.call(callID: callID)?.outcome == .noAnswer)
            let state = try #require(try await h.store.followUp(contactID: contact.id!))
            #expect(state.step == .first && state.dialsThisStep == 1)
        }
    }

    @Test("an inbound call from a contact ends the follow-up and sets the owner's dial string; a stranger passes through")
    func inboundCallbackRingsOwner() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            let commands = try await h.asterisk.session(route: "inbound", environment: ["agi_callerid": "+16175550100"]) { _ in ["200 result=1"] }
            #expect(commands.prefix(2) == ["GET VARIABLE CHANNEL(linkedid)", "SET VARIABLE TOUCHBASE_OWNER_DIAL \"PJSIP/101\""])
            #expect(try await h.store.followUp(contactID: contact.id!)?.phase == .responded)
            let calls = try await h.store.calls(contactID: contact.id!)
            #expect(calls.map(\.outcome) == [.calledBack])
            #expect(calls.first?.origin == .inbound)
            #expect(await h.dialer.pass().placed.isEmpty, "a contact who called back is not called again")

            let stranger = try await h.asterisk.session(route: "inbound", environment: ["agi_callerid": "+14155550123"]) { _ in ["200 result=1"] }
            #expect(stranger.isEmpty)
        }
    }

    @Test("an agent's drop plays the contact's current message after the beep and counts it")
    func agentDropLeavesMessage() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            let commands = try await h.asterisk.session(route: "drop", arguments: ["+16175550100@main"],
                                                       answer: voicemailAnswers(callID: nil))
            #expect(commands.first == "GET VARIABLE CHANNEL(linkedid)")
            #expect(commands[1] == "EXEC WaitForSilence 1500,1,20")
            #expect(commands[2].hasPrefix("STREAM FILE "))
            let calls = try await h.store.calls(contactID: contact.id!)
            #expect(calls.count == 1)
            #expect(calls.first?.origin == .drop)
            #expect(calls.first?.messageLeft == .first)
            #expect(commands.last == "SET VARIABLE CDR(userfield) \"\(calls.first!.callID)\"")
            #expect(try await h.store.followUp(contactID: contact.id!)?.step == .second)
        }
    }

    @Test("the hook after a hand-dialled call finds the contact by number and logs DIALSTATUS")
    func outcomeHookLogsHandDialledCall() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            _ = try await h.asterisk.session(route: "outcome", arguments: ["16175550100"],
                                             environment: ["agi_uniqueid": "1795446000.3"]) { command in
                switch command {
                case "GET VARIABLE DIALSTATUS": return ["200 result=1 (BUSY)"]
                case "GET VARIABLE HANGUPCAUSE": return ["200 result=1 (17)"]
                case "GET VARIABLE CHANNEL(linkedid)": return ["200 result=1 (1795446000.3)"]
                default: return ["200 result=0"]
                }
            }
            let calls = try await h.store.calls(contactID: contact.id!)
            #expect(calls.map(\.outcome) == [.busy])
            #expect(calls.first?.origin == .hook)
            // A failed Dial()'s CDR is final before the hangup handler runs: the join is by these.
            #expect(calls.first?.asteriskUniqueID == "1795446000.3" && calls.first?.asteriskLinkedID == "1795446000.3")
            let unknown = try await h.asterisk.session(route: "outcome", arguments: ["+14155550123"]) { _ in ["200 result=0"] }
            #expect(unknown.last?.hasPrefix("VERBOSE \"TouchBase outcome: +14155550123 is not a contact") == true)
        }
    }

    @Test("a call that never comes back is logged as unknown and rescheduled; a late report does not count twice")
    func neverReturnedCallIsReconciled() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            let callID = try #require(await h.dialer.pass().placed.first)
            h.clock.advance(30)
            #expect(await h.dialer.pass().placed.isEmpty, "a contact with a call under way is not dialled again")
            h.clock.advance(300)
            let pass = await h.dialer.pass()
            #expect(pass.reconciled == [callID])
            let call = try #require(try await h.store.call(callID: callID))
            #expect(call.outcome?.logValue.hasPrefix("unknown:no report from Asterisk") == true)
            let state = try #require(try await h.store.followUp(contactID: contact.id!))
            #expect(state.dialsThisStep == 1 && state.nextCall != nil)

            let late = try await h.asterisk.session(route: "answered", answer: voicemailAnswers(callID: callID))
            #expect(late.contains { $0.hasPrefix("VERBOSE \"TouchBase: call \(callID) was already settled") })
            #expect(try await h.store.followUp(contactID: contact.id!) == state)
        }
    }

    @Test("pacing: no more calls at once than max_calls, on the trunk with room")
    func pacingLimitsCallsAtOnce() async throws {
        try await Harness.run(configure: {
            $0.dialer.pacing = DialPacing(maxCalls: 3, callsPerMinute: 10, trunks: [
                Trunk(name: "a", channel: "PJSIP/{number}@a", maxCalls: 1, callsPerMinute: 10),
                Trunk(name: "b", channel: "SIP/b/{digits}", maxCalls: 5, callsPerMinute: 10),
            ])
        }) { h in
            try await h.importContacts((0..<5).reduce("name,phone\n") { $0 + "Person \($1),+1617555010\($1)\n" })
            let first = await h.dialer.pass()
            #expect(first.placed.count == 3)
            let channels = try h.callFiles().values.compactMap { $0.first { $0.key == "Channel" }?.value }.sorted()
            #expect(channels.filter { $0.hasSuffix("@a") }.count == 1)
            #expect(channels.filter { $0.hasPrefix("SIP/b/1617555010") }.count == 2)
            #expect(await h.dialer.pass().placed.isEmpty)
        }
    }

    @Test("a pass that places calls over several seconds records each call's start as the moment it was handed to Asterisk")
    func startedAtIsHandOver() async throws {
        let log = HandOverLog()
        try await Harness.run(configure: {
            $0.dialer.pacing = DialPacing(maxCalls: 4, callsPerMinute: 10, trunks: [
                Trunk(name: "main", channel: "PJSIP/{number}@main", maxCalls: 4, callsPerMinute: 10),
            ])
        }, originator: { SlowOriginator(clock: $0, log: log) }) { h in
            try await h.importContacts((0..<4).reduce("name,phone\n") { $0 + "Person \($1),+1617555010\($1)\n" })
            let pass = await h.dialer.pass()
            #expect(pass.placed.count == 4)
            let started = try await h.store.calls(contactID: nil).map(\.startedAt)
            let handedOver = log.times.withLock { $0 }
            #expect(started == handedOver, "each call starts when it was handed over, not when the pass began")
            #expect(Set(started).count == 4)
        }
    }

    @Test("hostile contact data never adds a line to a call file or a command to the dialog")
    func hostileDataStaysData() async throws {
        try await Harness.run { h in
            let evil = Contact(name: "Eve\"\nEXEC System rm", phone: "+16175550100", timeZone: "America/New_York",
                               owner: Owner(name: "Sam \"Boss\" <x>; #1\nChannel: Local/666@evil", dialString: "PJSIP/101",
                                            callbackNumber: "+16175550199"),
                               company: "Acme; Inc\r\nContext: evil", connection: "", topic: "")
            _ = try await h.store.importContacts([evil], now: h.clock.now, policy: h.assembly.configuration.policy)
            let callID = try #require(await h.dialer.pass().placed.first)
            let file = try #require(try h.callFiles()["touchbase-\(callID).call"])
            #expect(file.map(\.key) == ["Channel", "CallerID", "WaitTime", "MaxRetries", "RetryTime", "Context", "Extension",
                                        "Priority", "Setvar", "Setvar", "Setvar", "Setvar", "Archive"])
            #expect(file.first { $0.key == "CallerID" }?.value == "\"Sam Boss x 1 Channel: Local/666@evil\" <+16175550199>")
            #expect(file.first { $0.key == "Channel" }?.value == "PJSIP/+16175550100@main")

            let commands = try await h.asterisk.session(route: "answered", answer: voicemailAnswers(callID: callID))
            #expect(commands.count == 7)
            #expect(!commands.contains { $0.contains("System") || $0.contains("evil") })
        }
    }

    @Test("the answered route replays a real Asterisk voicemail drop: same commands, same order")
    func answeredRouteMatchesRecordedDrop() async throws {
        try await Harness.run { h in
            let contact = try await h.importContacts(laura)[0]
            try await h.store.beginCall(CallStart(callID: "call-5551006", contactID: contact.id!, step: .first, dialNumber: 1,
                                                  startedAt: h.clock.now))
            let recorded = try RecordedSession.load("fastagi-amd-machine-drop.txt")
            let exchanges = recorded.exchanges
            let commands = try await h.asterisk.session(route: "answered") { command in
                let verb = command.split(separator: " ").prefix(2).joined(separator: " ")
                return exchanges.first { $0.command.split(separator: " ").prefix(2).joined(separator: " ") == verb
                    && ($0.command == command || verb == "STREAM FILE" || verb == "SET VARIABLE") }?.answer ?? ["200 result=1"]
            }
            let verbs = { (lines: [String]) in lines.map { $0.split(separator: " ").prefix(3).joined(separator: " ") } }
            // The recording predates the linkedid read (every route reads it to join Asterisk's CDRs);
            // every other command is the recorded one, in the recorded order.
            var recordedVerbs = verbs(exchanges.map(\.command))
            recordedVerbs.insert("GET VARIABLE CHANNEL(linkedid)", at: 3)
            #expect(verbs(commands) == recordedVerbs.map { $0.hasPrefix("STREAM FILE") ? verbs(commands)[5] : $0 })
            #expect(commands.last == "SET VARIABLE CDR(userfield) \"call-5551006\"")
            let call = try #require(try await h.store.call(callID: "call-5551006"))
            #expect(call.outcome?.name == "voicemail")
        }
    }

    @Test("the next message is rendered as soon as its call is scheduled, so the dialer finds it in the cache")
    func nextMessageIsPrerendered() async throws {
        try await Harness.run(configure: { $0.speech.prerender = true }) { h in
            let contact = try await h.importContacts(laura)[0]
            let first = try #require(await h.dialer.pass().placed.first)
            #expect(syntheses(h) == 1)
            _ = try await h.asterisk.session(route: "answered", answer: voicemailAnswers(callID: first))
            await h.assembly.prerenderer!.idle()
            #expect(syntheses(h) == 2, "message 2 was rendered in the background")
            let next = try #require(try await h.store.followUp(contactID: contact.id!)?.nextCall)
            h.clock.set(next.start.addingTimeInterval(20))
            let second = try #require(await h.dialer.pass().placed.first)
            #expect(syntheses(h) == 2, "the dialer found message 2 in the cache")
            #expect(try await h.store.call(callID: second)?.step == .second)
        }
    }

    private func syntheses(_ h: Harness) -> Int {
        let line = h.assembly.metrics.exposition().split(separator: "\n").first { $0.hasPrefix("touchbase_tts_seconds_count{") }
        return line.flatMap { Int($0.split(separator: " ").last!) } ?? 0
    }
}
