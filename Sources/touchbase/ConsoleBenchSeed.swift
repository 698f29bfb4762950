import Cadence
import Foundation
import Store

/// The web console's benchmark data (BENCHMARKS.md): contacts spread over owners, campaigns and
/// phases, and a year of finished calls, so the pages are measured at the issue's size.
enum ConsoleBenchSeed {
    static let owners = ["Sam Ortiz", "Lee Park", "Ana Gómez", "Raj Patel", "Kim Chen"]
    static let outcomes: [DialOutcome] = [.voicemail(playedShare: 1), .noAnswer, .busy, .voicemail(playedShare: 1), .human, .calledBack]

    static func seed(_ store: SQLiteStore, contacts count: Int, calls callCount: Int) async throws {
        let now = Date()
        let policy = CallingPolicy()
        var contacts: [Contact] = []
        for index in 1...count {
            let owner = owners[index % owners.count]
            contacts.append(Contact(name: "Bench Contact \(index)", phone: "+1617\(String(format: "%07d", index))", timeZone: "America/New_York",
                                    owner: Owner(name: owner, dialString: "PJSIP/1\(index % owners.count)", callbackNumber: "+16175550199"),
                                    company: "Harbor Consulting", topic: "the benchmark", campaign: index % 3 == 0 ? "spring" : nil))
            if contacts.count == 10_000 {
                _ = try await store.importContacts(contacts, now: now, policy: policy)
                contacts = []
            }
        }
        if !contacts.isEmpty { _ = try await store.importContacts(contacts, now: now, policy: policy) }
        let ids = try await store.contacts().filter { $0.name.hasPrefix("Bench Contact ") }.compactMap(\.id)
        guard !ids.isEmpty else { return }
        let year = 365.0 * 86_400
        var batch: [(CallStart, CallFinish)] = []
        for index in 0..<callCount {
            let contactID = ids[index % ids.count]
            let started = now.addingTimeInterval(-year + year * Double(index) / Double(callCount))
            let outcome = outcomes[index % outcomes.count]
            let step = MessageStep(rawValue: 1 + (index / ids.count) % 3) ?? .first
            let left = outcome == .voicemail(playedShare: 1) ? step : nil
            let state = FollowUpState(phase: index % 7 == 0 ? .parked(until: now.addingTimeInterval(90 * 86_400), note: "bench") : .active, step: step)
            let callID = "tb-bench-\(index)"
            batch.append((CallStart(callID: callID, contactID: contactID, step: step, dialNumber: 1, startedAt: started,
                                    origin: outcome == .calledBack ? .inbound : .dialer, trunk: "default"),
                          CallFinish(callID: callID, endedAt: started.addingTimeInterval(40), variables: AsteriskCallVariables(),
                                     outcome: outcome, messagePlayed: left, playedShare: left == nil ? nil : 1, voice: "bench",
                                     decision: FollowUpDecision(state: state, messageLeft: left, note: index % 7 == 0 ? "parked: bench" : "bench"))))
            if batch.count == 20_000 {
                try await store.recordCalls(batch)
                batch = []
            }
        }
        if !batch.isEmpty { try await store.recordCalls(batch) }
    }
}
