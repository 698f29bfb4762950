import Cadence
import Dialer
import Foundation
import Logging
import Store
import Synchronization
import Testing

/// Counts what a settlement counted, for assertions.
final class CountedMetrics: CallMetrics {
    let outcomes = Mutex<[String]>([])
    let messages = Mutex<[Int]>([])
    func callFinished(outcome: String) { outcomes.withLock { $0.append(outcome) } }
    func messageLeft(step: Int) { messages.withLock { $0.append(step) } }
    func reconciled() {}
    func notPlaced() {}
    func dialerOpenCalls(_ count: Int) {}
}

@Suite("Settling a call")
struct CallSettlementTests {
    let owner = Owner(name: "Sam Ortiz", dialString: "PJSIP/101", callbackNumber: "+16175550199")
    let start = Date(timeIntervalSince1970: 1_795_442_400) // Mon 2026-11-23 09:00 New York

    func storeWithContact() async throws -> (SQLiteStore, Contact, FollowUpState) {
        let store = try SQLiteStore()
        let contact = Contact(name: "Laura Harbolt", phone: "+16175550100", timeZone: "America/New_York", owner: owner,
                              company: "Ortiz Landscaping")
        _ = try await store.importContacts([contact], now: start, policy: CallingPolicy())
        let (stored, state) = try #require(try await store.dueFollowUps(now: start.addingTimeInterval(3600), limit: 1).first)
        return (store, stored, state)
    }

    @Test("a placed call is decided, recorded, counted and its next call handed on; a second report changes nothing")
    func placedCall() async throws {
        let (store, contact, state) = try await storeWithContact()
        let metrics = CountedMetrics()
        let handedOn = Mutex<[MessageStep]>([])
        let settlement = CallSettlement(store: store, policy: CallingPolicy(), metrics: metrics,
                                        scheduled: { _, next in handedOn.withLock { $0.append(next.step) } })
        let now = start.addingTimeInterval(3600)
        try await store.beginCall(CallStart(callID: "tb-1", contactID: contact.id!, step: .first, dialNumber: 1, startedAt: now))
        let record = try #require(try await store.call(callID: "tb-1"))
        let plan = PlannedMessage(audioPath: "/tmp/m1", samples: 100, voice: "piper", promise: nil)
        let report = CallSettlement.Report(variables: AsteriskCallVariables(amdStatus: "MACHINE"), outcome: .voicemail(playedShare: 1),
                                           message: plan)
        let settled = try await settlement.settle(.placed(record), contact: contact, state: state, report: report, at: now,
                                                  logger: Logger(label: "test"))
        #expect(settled.callID == "tb-1" && settled.decision.messageLeft == .first)
        let call = try #require(try await store.call(callID: "tb-1"))
        #expect(call.outcome == .voicemail(playedShare: 1) && call.messageLeft == .first && call.voice == "piper")
        #expect(try await store.followUp(contactID: contact.id!)?.step == .second)
        #expect(metrics.outcomes.withLock { $0 } == ["voicemail"] && metrics.messages.withLock { $0 } == [1])
        #expect(handedOn.withLock { $0 } == [.second])

        await #expect(throws: CallAlreadyFinished.self) {
            try await settlement.settle(.placed(record), contact: contact, state: state,
                                        report: .init(variables: AsteriskCallVariables(), outcome: .busy), at: now,
                                        logger: Logger(label: "test"))
        }
        #expect(metrics.outcomes.withLock { $0 } == ["voicemail"])
    }

    @Test("a call reported whole is recorded under a new id with its origin and the step it was at")
    func reportedCall() async throws {
        let (store, contact, state) = try await storeWithContact()
        let metrics = CountedMetrics()
        let settlement = CallSettlement(store: store, policy: CallingPolicy(), metrics: metrics)
        let settled = try await settlement.settle(.reported(.hook), contact: contact, state: state,
                                                  report: .init(variables: AsteriskCallVariables(dialStatus: "BUSY"), outcome: .busy),
                                                  at: start.addingTimeInterval(3600), logger: Logger(label: "test"))
        let call = try #require(try await store.call(callID: settled.callID))
        #expect(call.origin == .hook && call.outcome == .busy && call.step == .first && call.dialNumber == 1)
        #expect(metrics.outcomes.withLock { $0 } == ["busy"] && metrics.messages.withLock { $0 }.isEmpty)
    }
}
