import Cadence
import CadenceTestSupport
import Foundation
import Logging
import PostgresStore
import Store
import StoreTestSupport
import Testing

@Suite("Store copy from SQLite to PostgreSQL")
struct StoreCopyTests {
    @Test("every contact, follow-up, call, message, console account and audit entry arrives as it was, ids kept; a second copy is refused",
          .enabled(if: StoreKind.covered.contains(.postgres), Comment(rawValue: PostgresTestServer.missing)))
    func copyEverything() async throws {
        let sqlite = try await StoreSite(.sqlite)
        let source = try await sqlite.open()
        let nine = local("2026-11-23 09:00")
        _ = try await source.importContacts(dueContacts(3), now: nine, policy: CallingPolicy())
        try await source.setDoNotCall(contactID: 3, now: nine)
        let claim = try #require(try await source.claimDueFollowUps(claimRequest("a", at: nine)).first)
        let start = CallStart(callID: "tb-1", contactID: claim.contact.id!, step: .first, dialNumber: 1, startedAt: nine, trunk: "main",
                              plannedMessage: PlannedMessage(audioPath: "/s/m1", samples: 10, voice: "piper", promise: nil))
        try await source.beginClaimedCall(start, claim: claim)
        let variables = AsteriskCallVariables(amdStatus: "MACHINE", amdCause: "MAXWORDS-3-2")
        let outcome = variables.outcome(playedSamples: 10, audioSamples: 10)
        let decision = FollowUp.decide(contact: claim.contact, state: claim.state, outcome: outcome, now: nine.addingTimeInterval(50),
                                       policy: CallingPolicy())
        try await source.finishCall(CallFinish(callID: "tb-1", endedAt: nine.addingTimeInterval(50), variables: variables, outcome: outcome,
                                               messagePlayed: .first, playedShare: 1, voice: "piper", decision: decision))
        try await source.beginCall(CallStart(callID: "tb-2", contactID: 2, step: .first, dialNumber: 1, startedAt: nine.addingTimeInterval(60)))
        try await source.recordMessage(MessageRecord(contactID: claim.contact.id!, step: .first, text: "Hi", promise: nil, audioPath: nil,
                                                     voice: "piper", renderedAt: nine))

        let ada = ConsoleAccount(name: "ada", role: .admin, passwordHash: "$2b$04$ada", createdAt: nine)
        let sam = ConsoleAccount(name: "Sam Ortiz", role: .owner, passwordHash: "$2b$04$sam", createdAt: nine)
        for account in [ada, sam] { try await source.saveAccount(account) }
        let audit = (1...3).map { AuditEntry(at: nine.addingTimeInterval(Double($0)), account: "ada", action: "pause", detail: "contact \($0)") }
        for entry in audit { try await source.recordAudit(entry) }

        let target = try await PostgresStore(configuration: try await PostgresTestServer.freshSchema(), logger: PostgresTestServer.logger)
        let kept = ConsoleAccount(name: "ada", role: .admin, passwordHash: "$2b$04$already-here", createdAt: nine)
        try await target.saveAccount(kept)
        let summary = try await target.copy(from: source as! SQLiteStore)
        #expect(summary.description == "3 contacts, 3 follow-ups, 2 calls, 1 messages, 1 console accounts, 3 audit entries")
        #expect(try await target.account(name: "Sam Ortiz") == sam)
        #expect(try await target.account(name: "ada") == kept, "an account the target already has is kept as it is there")
        #expect(try await target.auditLog(limit: 10) == audit.reversed())
        let (contacts, calls) = (try await source.contacts(), try await source.calls(contactID: nil))
        #expect(try await target.contacts() == contacts)
        #expect(try await target.calls(contactID: nil) == calls)
        #expect(try await target.openCalls().map(\.callID) == ["tb-2"])
        for id: Int64 in 1...3 {
            let (state, messages) = (try await source.followUp(contactID: id), try await source.messages(contactID: id))
            #expect(try await target.followUp(contactID: id) == state)
            #expect(try await target.messages(contactID: id) == messages)
        }
        await #expect(throws: StoreError.self) { try await target.copy(from: source as! SQLiteStore) }
        #expect(try await target.calls(contactID: nil).count == 2, "the refused copy wrote nothing")
        let more = try ContactImport(defaults: defaults).contacts(fromCSV: "name,phone\nNew,617-555-0199\n", file: "c.csv")
        _ = try await target.importContacts(more, now: nine, policy: CallingPolicy())
        #expect(try await target.contact(phone: "+16175550199")?.id == 4, "new contacts take ids after the copied ones")
    }
}
