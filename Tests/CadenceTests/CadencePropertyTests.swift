import Cadence
import CadenceTestSupport
import Foundation
import PropertyBased
import Testing

/// Drives one contact through a sequence of call outcomes the way the dialer does: each call is
/// made at the start of the scheduled window, and checks the cadence's promises on every call.
struct CadenceRun {
    var calls = 0
    var messages = 0
    var outsideHours = 0
    var promisesMade = 0
    var promisesKept = 0
    var promiseMismatches = 0
    var lastMessageInUsedBand = false
    var finalPhase = ""

    init(zone zoneName: String, start: Date, outcomes: [DialOutcome], policy: CallingPolicy) {
        let person = contact(zoneName)
        let zone = ZonedCalendar(timeZone: zoneName)!
        var state = FollowUp.start(contact: person, now: start, policy: policy)
        var index = 0
        while state.phase == .active, let window = state.nextCall, calls < 60 {
            let callTime = window.start
            calls += 1
            if !FollowUp.isInsideCallingHours(callTime, zone: zone, policy: policy) { outsideHours += 1 }
            if let promise = state.promise, state.dialsThisStep == 0 {
                // The first call after a message is the promised one.
                promisesMade += 1
                if promise.window.contains(callTime) { promisesKept += 1 }
            }
            let ended = callTime.addingTimeInterval(60)
            let expected = FollowUp.promise(forLeaving: state.step, contact: person, state: state, now: ended, policy: policy)
            let outcome = outcomes[index % outcomes.count]
            index += 1
            let decision = FollowUp.decide(contact: person, state: state, outcome: outcome, now: ended, policy: policy)
            if let left = decision.messageLeft {
                messages += 1
                if left != .last, decision.state.promise != expected { promiseMismatches += 1 }
                if left == .last, state.messageBands.contains(policy.band(at: zone.clockTime(ended)).name) {
                    lastMessageInUsedBand = true
                }
            }
            state = decision.state
        }
        finalPhase = state.phase.name
    }
}

@Suite("Cadence properties")
struct CadencePropertyTests {
    static let zones = ["America/New_York", "America/Los_Angeles", "Europe/Berlin", "Europe/London", "Australia/Sydney",
                        "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Auckland", "America/St_Johns"]
    static let outcomes: [DialOutcome] = [.voicemail(playedShare: 1), .voicemail(playedShare: 1), .voicemail(playedShare: 0.3),
                                          .noAnswer, .busy, .congestion, .unavailable, .unknown("X")]
    static let origin = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z

    @Test("over random outcomes, zones and start times: at most 3 messages, never outside calling hours, every promise kept and matching the schedule, message 3 at a new part of the day")
    func invariants() async {
        await propertyCheck(count: 400, input: Gen.int(in: 0..<Self.zones.count), Gen.int(in: 0...(730 * 24 * 60)),
                            Gen.int(in: 0..<Self.outcomes.count).array(of: 1...8)) { zoneIndex, minutes, picks in
            let run = CadenceRun(zone: Self.zones[zoneIndex], start: Self.origin.addingTimeInterval(Double(minutes) * 60),
                                 outcomes: picks.map { Self.outcomes[$0] }, policy: CallingPolicy())
            #expect(run.messages <= 3)
            #expect(run.outsideHours == 0)
            #expect(run.promisesKept == run.promisesMade)
            #expect(run.promiseMismatches == 0)
            #expect(!run.lastMessageInUsedBand)
            #expect(run.finalPhase != "active", "every follow-up ends")
        }
    }

    @Test("runs that always reach voicemail leave exactly three messages and park, on DST days too", arguments: [
        ("America/New_York", "2026-03-05 16:00"), ("America/New_York", "2026-10-29 16:00"), ("Europe/Berlin", "2026-03-26 16:00"),
        ("Australia/Sydney", "2026-04-02 16:00"), ("America/New_York", "2026-11-20 17:00"),
    ])
    func alwaysVoicemail(zone: String, start: String) {
        let run = CadenceRun(zone: zone, start: local(start, zone), outcomes: [.voicemail(playedShare: 1)], policy: CallingPolicy())
        #expect(run.messages == 3)
        #expect(run.finalPhase == "parked")
        #expect(run.outsideHours == 0 && run.promisesKept == run.promisesMade && run.promisesMade == 2)
    }
}
