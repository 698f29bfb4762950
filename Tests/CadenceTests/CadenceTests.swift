import Cadence
import Foundation
import Testing

let owner = Owner(name: "Sam Ortiz", dialString: "PJSIP/101", callbackNumber: "+16175550199")
func contact(_ zone: String = "America/New_York", doNotCall: Bool = false) -> Contact {
    Contact(id: 1, name: "Laura Harbolt", phone: "+16175550100", timeZone: zone, owner: owner, company: "Ortiz Landscaping",
            doNotCall: doNotCall)
}

/// A moment given as local wall-clock time in a zone.
func local(_ text: String, _ zone: String = "America/New_York") -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: zone)
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.date(from: text)!
}

func show(_ date: Date?, _ zone: String = "America/New_York") -> String {
    guard let date else { return "nil" }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: zone)
    formatter.dateFormat = "EEE yyyy-MM-dd HH:mm"
    return formatter.string(from: date)
}

@Suite("Outcomes from Asterisk's variables")
struct DialOutcomeTests {
    @Test("each variable Asterisk sets maps to an outcome", arguments: [
        (AsteriskCallVariables(amdStatus: "MACHINE", amdCause: "MAXWORDS-3-2"), DialOutcome.voicemail(playedShare: 1)),
        (AsteriskCallVariables(amdStatus: "HUMAN", amdCause: "HUMAN-1000-500"), .human),
        (AsteriskCallVariables(amdStatus: "HANGUP"), .noAnswer),
        (AsteriskCallVariables(reason: "5", hangupCause: "0"), .busy),
        (AsteriskCallVariables(reason: "3", hangupCause: "0"), .noAnswer),
        (AsteriskCallVariables(reason: "8"), .congestion),
        (AsteriskCallVariables(reason: "1"), .noAnswer),
        (AsteriskCallVariables(reason: "0", hangupCause: "1"), .invalidNumber),
        (AsteriskCallVariables(dialStatus: "BUSY", hangupCause: "17"), .busy),
        (AsteriskCallVariables(dialStatus: "NOANSWER", hangupCause: "19"), .noAnswer),
        (AsteriskCallVariables(dialStatus: "CANCEL"), .noAnswer),
        (AsteriskCallVariables(dialStatus: "CONGESTION", hangupCause: "34"), .congestion),
        (AsteriskCallVariables(dialStatus: "CHANUNAVAIL", hangupCause: "21"), .unavailable),
        (AsteriskCallVariables(dialStatus: "CHANUNAVAIL", hangupCause: "1"), .invalidNumber),
        (AsteriskCallVariables(dialStatus: "DONTCALL"), .refused),
        (AsteriskCallVariables(dialStatus: "TORTURE"), .refused),
        (AsteriskCallVariables(dialStatus: "INVALIDARGS"), .configurationError),
        (AsteriskCallVariables(dialStatus: "ANSWER", hangupCause: "16"), .human),
        (AsteriskCallVariables(dialStatus: "WEIRD"), .unknown("DIALSTATUS=WEIRD")),
        (AsteriskCallVariables(reason: "42"), .unknown("REASON=42")),
        (AsteriskCallVariables(amdStatus: "MAYBE"), .unknown("AMDSTATUS=MAYBE")),
        (AsteriskCallVariables(), .unknown("no DIALSTATUS, REASON or AMDSTATUS")),
    ])
    func mapping(variables: AsteriskCallVariables, expected: DialOutcome) {
        let outcome = variables.outcome(playedSamples: 107555, audioSamples: 107555)
        #expect(outcome == expected)
    }

    @Test("the played share is STREAM FILE's endpos against the audio's samples")
    func playedShare() {
        let vars = AsteriskCallVariables(amdStatus: "MACHINE")
        #expect(vars.outcome(playedSamples: 24000, audioSamples: 107555) == .voicemail(playedShare: 24000.0 / 107555))
        #expect(vars.outcome(playedSamples: 0, audioSamples: 0) == .voicemail(playedShare: 0))
        #expect(AsteriskCallVariables(amdStatus: "NOTSURE").outcome(notSureIsMachine: false) == .human)
    }

    @Test("AMD's status and cause are read in one place", arguments: [
        ("MACHINE", "MAXWORDS-3-2", true, MachineDetection.Verdict?.some(.machine), "MAXWORDS", [3, 2]),
        ("notsure", "LONGGREETING-1500-1500", true, .machine, "LONGGREETING", [1500, 1500]),
        ("NOTSURE", "TOOLONG-5000", false, .person, "TOOLONG", [5000]),
        ("HUMAN", "HUMAN-800-800", true, .person, "HUMAN", [800, 800]),
        ("HANGUP", "", true, .hungUp, nil, []),
        ("MAYBE", nil, true, .unrecognized("MAYBE"), nil, []),
        (nil, nil, true, nil, nil, []),
    ])
    func machineDetection(status: String?, cause: String?, notSureIsMachine: Bool, verdict: MachineDetection.Verdict?,
                          causeName: String?, figures: [Int]) {
        let detection = MachineDetection(status: status, cause: cause, notSureIsMachine: notSureIsMachine)
        #expect(detection.verdict == verdict && detection.cause == causeName && detection.figures == figures)
    }

    @Test("every outcome reads back from the call log as it was written", arguments: [
        DialOutcome.voicemail(playedShare: 0.5), .human, .noAnswer, .busy, .congestion, .unavailable, .invalidNumber, .refused,
        .calledBack, .configurationError, .unknown("DIALSTATUS=A:B"), .unknown(""),
    ])
    func logValueRoundTrip(outcome: DialOutcome) {
        #expect(DialOutcome(logValue: outcome.logValue, playedShare: outcome.playedShare) == outcome)
    }

    @Test("a log value no release wrote is kept whole as unknown")
    func foreignLogValue() {
        #expect(DialOutcome(logValue: "fax", playedShare: nil) == .unknown("fax"))
        #expect(DialOutcome(logValue: "voicemail", playedShare: nil) == .voicemail(playedShare: 0))
    }
}

@Suite("Follow-up cadence")
struct FollowUpTests {
    let policy = CallingPolicy()

    func leave(_ step: MessageStep, at time: String, state: FollowUpState = FollowUpState(), policy: CallingPolicy = CallingPolicy(),
               zone: String = "America/New_York") -> FollowUpDecision {
        var state = state
        state.step = step
        return FollowUp.decide(contact: contact(zone), state: state, outcome: .voicemail(playedShare: 1), now: local(time, zone), policy: policy)
    }

    @Test("message 1 on a Thursday promises tomorrow around noon, and the next call is inside that slot")
    func messageOneThursday() {
        let d = leave(.first, at: "2026-11-19 10:05")
        #expect(d.messageLeft == .first)
        #expect(d.state.promise?.phrase == "tomorrow around noon")
        #expect(show(d.state.nextCall?.start) == "Fri 2026-11-20 11:30")
        #expect(show(d.state.nextCall?.end) == "Fri 2026-11-20 12:30")
        #expect(d.state.step == .second && d.state.messagesLeft == 1 && d.state.messageBands == ["morning"])
    }

    @Test("Friday's tomorrow is Monday")
    func fridayIsMonday() {
        let d = leave(.first, at: "2026-11-20 10:05")
        #expect(d.state.promise?.phrase == "on Monday around noon")
        #expect(show(d.state.nextCall?.start) == "Mon 2026-11-23 11:30")
    }

    @Test("a holiday is skipped")
    func holidays() {
        var policy = CallingPolicy()
        policy.holidays = ["2026-11-26", "2026-11-27"]
        let d = leave(.first, at: "2026-11-25 10:00", policy: policy)
        #expect(show(d.state.nextCall?.start) == "Mon 2026-11-30 11:30")
        #expect(d.state.promise?.phrase == "on Monday around noon")
    }

    @Test("message 2 promises a day or two, at a part of the day no message used yet")
    func messageTwo() {
        let after1 = leave(.first, at: "2026-11-16 09:10").state
        let d = FollowUp.decide(contact: contact(), state: after1, outcome: .voicemail(playedShare: 1), now: local("2026-11-17 11:50"), policy: policy)
        #expect(d.messageLeft == .second)
        #expect(d.state.promise?.phrase == "in a day or two")
        #expect(show(d.state.nextCall?.start) == "Thu 2026-11-19 13:30")
        #expect(show(d.state.nextCall?.end) == "Thu 2026-11-19 17:30")
        #expect(d.state.messageBands == ["morning", "midday"])
    }

    @Test("with the next-week gap, message 2 says next week and the call falls in next week")
    func messageTwoNextWeek() {
        var policy = CallingPolicy()
        policy.secondMessageGap = .nextWeek
        let after1 = leave(.first, at: "2026-11-16 09:10", policy: policy).state
        let d = FollowUp.decide(contact: contact(), state: after1, outcome: .voicemail(playedShare: 1), now: local("2026-11-17 11:50"), policy: policy)
        #expect(d.state.promise?.phrase == "next week")
        #expect(show(d.state.nextCall?.start) == "Tue 2026-11-24 13:30")
    }

    @Test("message 3 parks the contact in the pipeline for 90 days with a note; no call follows")
    func messageThree() {
        var state = FollowUpState(step: .last, messagesLeft: 2, messageBands: ["morning", "midday"])
        state.nextCall = CallingWindow(start: local("2026-11-19 13:30"), end: local("2026-11-19 17:30"))
        let d = FollowUp.decide(contact: contact(), state: state, outcome: .voicemail(playedShare: 1), now: local("2026-11-19 13:31"), policy: policy)
        #expect(d.messageLeft == .last)
        #expect(d.state.nextCall == nil)
        guard case .parked(let until, let note) = d.state.phase else { Issue.record("not parked"); return }
        #expect(show(until) == "Wed 2027-02-17 00:00")
        #expect(note.contains("three messages"))
        #expect(d.state.messagesLeft == 3)
    }

    @Test("no answer is a dial, not a message: try again hours later at another part of the day")
    func noAnswerRetry() {
        let d = FollowUp.decide(contact: contact(), state: FollowUpState(), outcome: .noAnswer, now: local("2026-11-19 09:05"), policy: policy)
        #expect(d.messageLeft == nil && d.state.messagesLeft == 0 && d.state.step == .first)
        #expect(d.state.dialsThisStep == 1)
        #expect(show(d.state.nextCall?.start) == "Thu 2026-11-19 12:05")
        #expect(d.state.bandsTriedThisStep == ["morning"])
        #expect(d.note.hasPrefix("no-answer: try again"))
    }

    @Test("a call before the promised time that reaches no one leaves the promised call where it was")
    func earlyDialKeepsPromise() {
        let left = FollowUp.decide(contact: contact(), state: FollowUpState(), outcome: .voicemail(playedShare: 1),
                                   now: local("2026-11-19 10:00"), policy: policy)
        let promised = left.state.nextCall
        // Someone dials the contact by hand that afternoon: busy.
        let early = FollowUp.decide(contact: contact(), state: left.state, outcome: .busy, now: local("2026-11-19 15:00"), policy: policy)
        #expect(early.state.nextCall == promised)
        #expect(early.state.dialsThisStep == 1)
        #expect(early.note == "busy: the promised call stays tomorrow around noon")
        // The promised call itself is busy: then the usual retry, later that day.
        let inWindow = FollowUp.decide(contact: contact(), state: early.state, outcome: .busy, now: promised!.start.addingTimeInterval(60), policy: policy)
        #expect(inWindow.state.nextCall!.start >= promised!.start.addingTimeInterval(60 + 180 * 60))
    }

    @Test("dials per step are bounded: then the contact is parked with a note")
    func dialsBounded() {
        var state = FollowUpState()
        var now = local("2026-11-16 09:05")
        for _ in 0..<policy.dialsPerStep {
            let d = FollowUp.decide(contact: contact(), state: state, outcome: .busy, now: now, policy: policy)
            state = d.state
            if let next = state.nextCall { now = next.start.addingTimeInterval(60) }
        }
        guard case .parked(_, let note) = state.phase else { Issue.record("not parked: \(state.phase)"); return }
        #expect(note == "no voicemail reached for message 1 after 4 calls")
    }

    @Test("a person answering ends the follow-up as reached; a callback as responded", arguments: [
        (DialOutcome.human, "reached"), (.calledBack, "responded"), (.invalidNumber, "stopped"), (.refused, "stopped"),
    ])
    func endings(outcome: DialOutcome, phase: String) {
        let d = FollowUp.decide(contact: contact(), state: FollowUpState(), outcome: outcome, now: local("2026-11-19 10:00"), policy: policy)
        #expect(d.state.phase.name == phase)
        #expect(d.state.nextCall == nil)
    }

    @Test("a contact on the do-not-call list is never due and stops at the next decision")
    func doNotCall() {
        let dnc = contact(doNotCall: true)
        #expect(FollowUp.start(contact: dnc, now: local("2026-11-19 10:00"), policy: policy).phase.name == "stopped")
        let state = FollowUp.start(contact: contact(), now: local("2026-11-19 10:00"), policy: policy)
        #expect(!FollowUp.isDue(contact: dnc, state: state, now: local("2026-11-19 10:00"), policy: policy))
        #expect(FollowUp.decide(contact: dnc, state: state, outcome: .voicemail(playedShare: 1), now: local("2026-11-19 10:00"), policy: policy).state.phase == .stopped(reason: "on the do-not-call list"))
    }

    @Test("a message cut short does not count unless the policy says so")
    func cutShort() {
        let notCounted = FollowUp.decide(contact: contact(), state: FollowUpState(), outcome: .voicemail(playedShare: 0.4), now: local("2026-11-19 10:00"), policy: policy)
        #expect(notCounted.messageLeft == nil && notCounted.state.step == .first)
        #expect(notCounted.note.hasPrefix("message cut short at 40%, not counted"))
        var lenient = CallingPolicy()
        lenient.cutShortMessagesCount = true
        let counted = FollowUp.decide(contact: contact(), state: FollowUpState(), outcome: .voicemail(playedShare: 0.4), now: local("2026-11-19 10:00"), policy: lenient)
        #expect(counted.messageLeft == .first && counted.note.contains("cut short at 40%, counted by policy"))
    }

    @Test("calling hours can be narrowed but never widened past 08:00–21:00")
    func hardBounds() {
        var policy = CallingPolicy()
        policy.callingHours = [2: ClockTime(6, 0)...ClockTime(23, 0)]
        #expect(policy.hours(onWeekday: 2) == ClockTime(8, 0)...ClockTime(21, 0))
        #expect(!policy.problems.isEmpty)
        let zone = ZonedCalendar(timeZone: "America/New_York")!
        #expect(!FollowUp.isInsideCallingHours(local("2026-11-23 07:59"), zone: zone, policy: policy))
        #expect(FollowUp.isInsideCallingHours(local("2026-11-23 08:00"), zone: zone, policy: policy))
        #expect(!FollowUp.isInsideCallingHours(local("2026-11-23 21:00"), zone: zone, policy: policy))
        #expect(!FollowUp.isInsideCallingHours(local("2026-11-24 10:00"), zone: zone, policy: policy), "Tuesday has no hours here")
    }

    @Test("across the spring DST change the promised slot is still noon local time", arguments: [
        ("America/New_York", "2026-03-06 10:00", "Mon 2026-03-09 11:30"),
        ("America/New_York", "2026-10-30 10:00", "Mon 2026-11-02 11:30"),
        ("Europe/Berlin", "2026-03-27 10:00", "Mon 2026-03-30 11:30"),
        ("Australia/Sydney", "2026-04-03 10:00", "Mon 2026-04-06 11:30"),
    ])
    func dst(zone: String, left: String, expected: String) {
        let d = leave(.first, at: left, zone: zone)
        #expect(show(d.state.nextCall?.start, zone) == expected)
        #expect(d.state.promise?.phrase == "on Monday around noon")
        #expect(d.state.nextCall.map { $0.end.timeIntervalSince($0.start) } == 3600)
    }
}

@Suite("Spoken promises")
struct SpokenPromiseTests {
    let zone = ZonedCalendar(timeZone: "America/New_York")!
    let policy = CallingPolicy()

    @Test("the phrase is computed from the window as the contact hears it", arguments: [
        ("2026-11-20 14:45", "2026-11-20 15:15", "2026-11-20 09:00", "later today around three"),
        ("2026-11-21 11:30", "2026-11-21 12:30", "2026-11-20 09:00", "tomorrow around noon"),
        ("2026-11-23 11:30", "2026-11-23 12:30", "2026-11-20 09:00", "on Monday around noon"),
        ("2026-11-23 13:30", "2026-11-23 17:30", "2026-11-20 09:00", "on Monday afternoon"),
        ("2026-11-23 09:00", "2026-11-23 11:30", "2026-11-22 09:00", "tomorrow morning"),
        ("2026-11-20 13:30", "2026-11-20 17:30", "2026-11-20 09:00", "this afternoon"),
        ("2026-11-20 10:15", "2026-11-20 10:45", "2026-11-20 09:00", "later today around ten thirty"),
        ("2026-12-03 11:30", "2026-12-03 12:30", "2026-11-20 09:00", "on Thursday, December 3rd around noon"),
    ])
    func phrases(start: String, end: String, heard: String, phrase: String) {
        let promise = SpokenPromise(window: CallingWindow(start: local(start), end: local(end)), heardAt: local(heard), zone: zone, policy: policy)
        #expect(promise.phrase == phrase)
    }
}
