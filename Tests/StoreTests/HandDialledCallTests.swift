import Cadence
import Foundation
import GRDB
@testable import Store
import StoreTestSupport
import Testing

@Suite("Hand-dialled calls: the two legs of a drop are one call, joined by the linkedid, on SQLite and PostgreSQL")
struct HandDialledCallTests {
    private func start(_ contactID: Int64, id: String, uniqueID: String, linkedID: String? = "1795353100.7") -> CallStart {
        CallStart(callID: id, contactID: contactID, step: .first, dialNumber: 1, startedAt: local("2026-11-23 10:00"), origin: .drop,
                  asteriskUniqueID: uniqueID, asteriskLinkedID: linkedID)
    }

    private func store(_ kind: StoreKind) async throws -> (any Store, Int64) {
        let store = try await StoreSite(kind).open()
        _ = try await store.importContacts(try StoreTests().sample(), now: local("2026-11-23 09:00"), policy: CallingPolicy())
        return (store, try await store.contacts()[0].id!)
    }

    @Test("the second leg joins the first leg's call; the agent's uniqueid is the call's, whichever leg came first",
          arguments: StoreKind.covered)
    func secondLegJoinsFirst(kind: StoreKind) async throws {
        for agentFirst in [true, false] {
            let (store, contact) = try await store(kind)
            let agent = start(contact, id: "tb-agent", uniqueID: "1795353100.7")
            let callee = start(contact, id: "tb-callee", uniqueID: "1795353100.9")
            let first = agentFirst ? try await store.joinCall(agent, leg: .caller) : try await store.joinCall(callee, leg: .callee)
            let second = agentFirst ? try await store.joinCall(callee, leg: .callee) : try await store.joinCall(agent, leg: .caller)
            #expect(first.callID == second.callID)
            let calls = try await store.calls(contactID: contact)
            #expect(calls.count == 1)
            #expect(calls[0].asteriskUniqueID == "1795353100.7" && calls[0].asteriskLinkedID == "1795353100.7")
            #expect(calls[0].endedAt == nil && calls[0].origin == .drop)
        }
    }

    @Test("a call without a linkedid, or under another call's linkedid, is a call of its own", arguments: StoreKind.covered)
    func noLinkedIDNoJoin(kind: StoreKind) async throws {
        let (store, contact) = try await store(kind)
        _ = try await store.joinCall(start(contact, id: "tb-1", uniqueID: "1.1", linkedID: nil), leg: .caller)
        _ = try await store.joinCall(start(contact, id: "tb-2", uniqueID: "1.2", linkedID: nil), leg: .callee)
        _ = try await store.joinCall(start(contact, id: "tb-3", uniqueID: "1.3", linkedID: "1.3"), leg: .caller)
        _ = try await store.joinCall(start(contact, id: "tb-4", uniqueID: "1.4", linkedID: "1.4"), leg: .callee)
        #expect(try await store.calls(contactID: contact).map(\.callID) == ["tb-1", "tb-2", "tb-3", "tb-4"])
    }

    @Test("a finish keeps the uniqueid a call has and adds the linkedid", arguments: StoreKind.covered)
    func finishKeepsUniqueID(kind: StoreKind) async throws {
        let (store, contact) = try await store(kind)
        _ = try await store.joinCall(start(contact, id: "tb-1", uniqueID: "1795353100.7"), leg: .caller)
        let state = try #require(try await store.followUp(contactID: contact))
        try await store.finishCall(CallFinish(callID: "tb-1", endedAt: local("2026-11-23 10:01"), asteriskUniqueID: "1795353100.9",
                                              asteriskLinkedID: "1795353100.7", variables: AsteriskCallVariables(), outcome: .noAnswer,
                                              decision: FollowUpDecision(state: state, note: "test")))
        let call = try #require(try await store.call(callID: "tb-1"))
        #expect(call.asteriskUniqueID == "1795353100.7" && call.asteriskLinkedID == "1795353100.7")
    }

    @Test("a database written before linkedids were kept opens with its calls intact and gains the column")
    func migratesOlderDatabase() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tb-\(UUID()).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let old = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(old, upTo: "v2: who placed a call, its trunk and its prepared message")
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO contact (name, phone, time_zone, owner_name, owner_dial, owner_callback, company, connection, topic,
                        created_at, updated_at) VALUES ('Ann', '+16175550100', 'America/New_York', 'Sam', 'PJSIP/101', '+16175550199',
                        'Acme', '', '', 0, 0);
                    INSERT INTO call (call_id, contact_id, step, dial_number, started_at, ended_at, asterisk_unique_id, outcome, origin)
                        VALUES ('tb-old', 1, 1, 1, 0, 60, '1795353100.7', 'busy', 'hook');
                    """)
            }
        }
        let store = try SQLiteStore(path: path)
        let call = try #require(try await store.call(callID: "tb-old"))
        #expect(call.outcome == .busy && call.asteriskUniqueID == "1795353100.7" && call.asteriskLinkedID == nil)
        _ = try await store.joinCall(CallStart(callID: "tb-new", contactID: 1, step: .first, dialNumber: 1, startedAt: Date(),
                                               origin: .drop, asteriskUniqueID: "2.1", asteriskLinkedID: "2.1"), leg: .caller)
        #expect(try await store.call(linkedID: "2.1")?.callID == "tb-new")
    }
}
