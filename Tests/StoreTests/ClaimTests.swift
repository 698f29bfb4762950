import Cadence
import CadenceTestSupport
import Foundation
import Store
import StoreTestSupport
import Testing

/// `count` contacts, all due at 09:00 New York time on Monday 2026-11-23.
func dueContacts(_ count: Int) throws -> [Contact] {
    let rows = (0..<count).map { "Contact \($0),617-555-\(String(format: "%04d", 1000 + $0))" }
    return try ContactImport(defaults: defaults).contacts(fromCSV: "name,phone\n" + rows.joined(separator: "\n"), file: "due.csv")
}

/// Pacing as the dialer asks for it: at most `maxCalls` in flight and `perMinute` started a
/// minute, all on trunk `main`.
func pacing(maxCalls: Int, perMinute: Int = 1000) -> @Sendable ([String: Int], [String: Int]) -> [String] {
    { inFlight, recent in
        let room = min(maxCalls - inFlight.values.reduce(0, +), perMinute - recent.values.reduce(0, +))
        return Array(repeating: "main", count: max(0, room))
    }
}

func claimRequest(_ node: String, at now: Date, lease: TimeInterval = 120, maxCalls: Int = 1000, perMinute: Int = 1000) -> ClaimRequest {
    ClaimRequest(node: node, now: now, leaseSeconds: lease, candidates: 50, trunks: pacing(maxCalls: maxCalls, perMinute: perMinute))
}

@Suite("Claims on due follow-ups, on SQLite and PostgreSQL")
struct ClaimTests {
    let nine = local("2026-11-23 09:00")

    @Test("two nodes claiming at once never get the same follow-up, and between them take every due one", arguments: StoreKind.covered)
    func concurrentClaims(kind: StoreKind) async throws {
        let site = try await StoreSite(kind)
        let nodes = [try await site.open(), try await site.open()]
        _ = try await nodes[0].importContacts(dueContacts(60), now: nine, policy: CallingPolicy())
        let taken = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for (index, node) in nodes.enumerated() {
                group.addTask {
                    var mine: [Int64] = []
                    for round in 0..<10 {
                        let request = ClaimRequest(node: "node-\(index)", now: self.nine.addingTimeInterval(Double(round)), leaseSeconds: 120,
                                                   candidates: 4, trunks: pacing(maxCalls: 1000))
                        mine += try await node.claimDueFollowUps(request).map { $0.contact.id! }
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let all = taken.flatMap { $0 }
        #expect(Set(all).count == all.count, "a follow-up was claimed twice")
        #expect(all.count == 60)
    }

    @Test("a claim becomes the call's record in one step; the contact is not claimed again while the call is under way",
          arguments: StoreKind.covered)
    func claimBecomesCall(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        _ = try await store.importContacts(dueContacts(1), now: nine, policy: CallingPolicy())
        let claim = try #require(try await store.claimDueFollowUps(claimRequest("a", at: nine)).first)
        #expect(claim.trunk == "main" && claim.node == "a" && claim.leaseUntil == nine.addingTimeInterval(120))
        try await store.beginClaimedCall(CallStart(callID: "tb-1", contactID: claim.contact.id!, step: claim.state.step, dialNumber: 1,
                                                   startedAt: nine, trunk: claim.trunk), claim: claim)
        #expect(try await store.openCalls().map(\.callID) == ["tb-1"])
        #expect(try await store.claimDueFollowUps(claimRequest("b", at: nine.addingTimeInterval(600))).isEmpty)
        await #expect(throws: ClaimLost.self) {
            try await store.beginClaimedCall(CallStart(callID: "tb-2", contactID: claim.contact.id!, step: .first, dialNumber: 1,
                                                       startedAt: nine), claim: claim)
        }
    }

    @Test("a claim whose lease ran out is taken over by another node, and the first node can no longer place its call",
          arguments: StoreKind.covered)
    func expiredClaimTakenOver(kind: StoreKind) async throws {
        let site = try await StoreSite(kind)
        let (a, b) = (try await site.open(), try await site.open())
        _ = try await a.importContacts(dueContacts(1), now: nine, policy: CallingPolicy())
        let claim = try #require(try await a.claimDueFollowUps(claimRequest("a", at: nine, lease: 30)).first)
        #expect(try await b.claimDueFollowUps(claimRequest("b", at: nine.addingTimeInterval(29))).isEmpty, "the lease still holds")
        let takeover = try await b.claimDueFollowUps(claimRequest("b", at: nine.addingTimeInterval(31)))
        #expect(takeover.map(\.contact.id) == [claim.contact.id] && takeover.first?.node == "b")
        await #expect(throws: ClaimLost.self) {
            try await a.beginClaimedCall(CallStart(callID: "tb-a", contactID: claim.contact.id!, step: .first, dialNumber: 1,
                                                   startedAt: nine.addingTimeInterval(32)), claim: claim)
        }
        try await b.beginClaimedCall(CallStart(callID: "tb-b", contactID: claim.contact.id!, step: .first, dialNumber: 1,
                                               startedAt: nine.addingTimeInterval(32)), claim: takeover[0])
        #expect(try await a.openCalls().map(\.callID) == ["tb-b"])
    }

    @Test("a claim whose lease ran out stops counting against max_calls, so its node may not start its call late",
          arguments: StoreKind.covered)
    func lateStartRefused(kind: StoreKind) async throws {
        let site = try await StoreSite(kind)
        let (a, b) = (try await site.open(), try await site.open())
        _ = try await a.importContacts(dueContacts(2), now: nine, policy: CallingPolicy())
        let stalled = try #require(try await a.claimDueFollowUps(claimRequest("a", at: nine, lease: 30, maxCalls: 1)).first)
        // b counts a's claim until its lease ends, then takes the one slot of max_calls itself.
        #expect(try await b.claimDueFollowUps(claimRequest("b", at: nine.addingTimeInterval(29), maxCalls: 1)).isEmpty)
        let other = try await b.claimDueFollowUps(claimRequest("b", at: nine.addingTimeInterval(31), maxCalls: 1))
        #expect(other.count == 1)
        await #expect(throws: ClaimLost.self, "a's late start would make two calls where max_calls allows one") {
            try await a.beginClaimedCall(CallStart(callID: "tb-late", contactID: stalled.contact.id!, step: .first, dialNumber: 1,
                                                   startedAt: nine.addingTimeInterval(32)), claim: stalled)
        }
        // A start after the lease is refused even before another node dropped the claim.
        let lone = try await StoreSite(kind).open()
        _ = try await lone.importContacts(dueContacts(1), now: nine, policy: CallingPolicy())
        let expired = try #require(try await lone.claimDueFollowUps(claimRequest("a", at: nine, lease: 30)).first)
        await #expect(throws: ClaimLost.self) {
            try await lone.beginClaimedCall(CallStart(callID: "tb-expired", contactID: expired.contact.id!, step: .first, dialNumber: 1,
                                                      startedAt: nine.addingTimeInterval(30)), claim: expired)
        }
    }

    @Test("the cap on calls in flight holds across three nodes claiming at once, and frees up as calls end", arguments: StoreKind.covered)
    func capAcrossNodes(kind: StoreKind) async throws {
        let site = try await StoreSite(kind)
        let nodes = [try await site.open(), try await site.open(), try await site.open()]
        _ = try await nodes[0].importContacts(dueContacts(30), now: nine, policy: CallingPolicy())
        let claimAll = { @Sendable (at: Date) async throws -> [FollowUpClaim] in
            try await withThrowingTaskGroup(of: [FollowUpClaim].self) { group in
                for (index, node) in nodes.enumerated() {
                    for _ in 0..<3 { group.addTask { try await node.claimDueFollowUps(claimRequest("node-\(index)", at: at, maxCalls: 5)) } }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
        let first = try await claimAll(nine)
        #expect(first.count == 5)
        for (index, claim) in first.enumerated() {
            try await nodes[index % 3].beginClaimedCall(CallStart(callID: "tb-\(index)", contactID: claim.contact.id!, step: .first,
                                                                  dialNumber: 1, startedAt: nine, trunk: claim.trunk), claim: claim)
        }
        #expect(try await claimAll(nine.addingTimeInterval(1)).isEmpty, "five calls are in flight")
        let call = try #require(try await nodes[0].openCalls().first)
        let state = try #require(try await nodes[0].followUp(contactID: call.contactID))
        try await nodes[1].finishCall(CallFinish(callID: call.callID, endedAt: nine.addingTimeInterval(2), variables: AsteriskCallVariables(),
                                                 outcome: .busy, decision: FollowUpDecision(state: state, note: "busy")))
        #expect(try await claimAll(nine.addingTimeInterval(3)).count == 1, "one call ended, so one more may start")
    }

    @Test("calls a minute are counted across nodes, and released claims free their place", arguments: StoreKind.covered)
    func perMinuteAndRelease(kind: StoreKind) async throws {
        let site = try await StoreSite(kind)
        let (a, b) = (try await site.open(), try await site.open())
        _ = try await a.importContacts(dueContacts(10), now: nine, policy: CallingPolicy())
        let claims = try await a.claimDueFollowUps(claimRequest("a", at: nine, perMinute: 3))
        #expect(claims.count == 3)
        #expect(try await b.claimDueFollowUps(claimRequest("b", at: nine.addingTimeInterval(10), perMinute: 3)).isEmpty)
        try await a.releaseClaim(claims[0])
        #expect(try await b.claimDueFollowUps(claimRequest("b", at: nine.addingTimeInterval(20), perMinute: 3)).count == 1)
        #expect(try await b.claimDueFollowUps(claimRequest("b", at: nine.addingTimeInterval(61), perMinute: 3)).count == 2,
                "a minute on, only the claim taken at 0:20 counts against the minute")
    }
}
