import Cadence
import CadenceTestSupport
import Foundation
import Store
import StoreTestSupport
import Testing

@Suite("The web console's accounts, audit log and page queries, on SQLite and PostgreSQL")
struct ConsoleStoreTests {
    func contacts() throws -> [Contact] {
        try ContactImport(defaults: defaults).contacts(fromCSV: """
            name,phone,owner,campaign
            Laura Harbolt,617-555-0100,Sam Ortiz,spring
            Bob 100% O_Brien,617-555-0101,Lee Park,
            Carol,617-555-0102,Sam Ortiz,spring
            """, file: "c.csv")
    }

    @Test("an account is saved, read back, and saved again with a new role and password", arguments: StoreKind.covered)
    func accounts(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        let created = local("2026-11-23 08:00")
        try await store.saveAccount(ConsoleAccount(name: "Sam Ortiz", role: .owner, passwordHash: "$2b$04$a", createdAt: created))
        #expect(try await store.account(name: "Sam Ortiz") == ConsoleAccount(name: "Sam Ortiz", role: .owner, passwordHash: "$2b$04$a", createdAt: created))
        try await store.saveAccount(ConsoleAccount(name: "Sam Ortiz", role: .admin, passwordHash: "$2b$04$b", createdAt: Date()))
        let again = try #require(try await store.account(name: "Sam Ortiz"))
        #expect(again.role == .admin && again.passwordHash == "$2b$04$b" && again.createdAt == created)
        #expect(try await store.account(name: "sam ortiz") == nil)
    }

    @Test("a session is kept by its token's hash with its account's role now, touched, closed, dropped when idle, and ended by a new password",
          arguments: StoreKind.covered)
    func sessions(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        let eight = local("2026-11-23 08:00")
        try await store.saveAccount(ConsoleAccount(name: "Sam Ortiz", role: .owner, passwordHash: "$2b$04$a", createdAt: eight))
        try await store.saveAccount(ConsoleAccount(name: "ada", role: .admin, passwordHash: "$2b$04$b", createdAt: eight))
        func open(_ hash: String, _ account: String, at: Date) async throws {
            try await store.openConsoleSession(StoredConsoleSession(tokenHash: hash, account: account, role: .owner, csrfToken: "csrf-" + hash,
                                                                    openedAt: at, lastUsed: at))
        }
        try await open("h1", "Sam Ortiz", at: eight)
        try await open("h2", "ada", at: eight)
        try await open("h3", "ada", at: eight.addingTimeInterval(3600))
        let first = try #require(try await store.consoleSession(tokenHash: "h1"))
        #expect(first == StoredConsoleSession(tokenHash: "h1", account: "Sam Ortiz", role: .owner, csrfToken: "csrf-h1", openedAt: eight, lastUsed: eight))
        #expect(try await store.consoleSession(tokenHash: "h2")?.role == .admin, "the role is the account's, not what was written")
        try await store.touchConsoleSession(tokenHash: "h1", at: eight.addingTimeInterval(1800))
        try await store.touchConsoleSession(tokenHash: "h1", at: eight.addingTimeInterval(60))
        #expect(try await store.consoleSession(tokenHash: "h1")?.lastUsed == eight.addingTimeInterval(1800), "a late touch never moves it back")

        try await store.closeConsoleSessions(tokenHash: nil, idleBefore: eight.addingTimeInterval(900))
        #expect(try await store.consoleSession(tokenHash: "h2") == nil, "idle since before the cut: dropped")
        #expect(try await store.consoleSession(tokenHash: "h1") != nil)
        #expect(try await store.consoleSession(tokenHash: "h3") != nil)
        try await store.closeConsoleSessions(tokenHash: "h3", idleBefore: .distantPast)
        #expect(try await store.consoleSession(tokenHash: "h3") == nil)

        try await store.saveAccount(ConsoleAccount(name: "Sam Ortiz", role: .owner, passwordHash: "$2b$04$new", createdAt: eight))
        #expect(try await store.consoleSession(tokenHash: "h1") == nil, "a new password ends the account's sessions")
        #expect(try await store.consoleSession(tokenHash: "nothing") == nil)
    }

    @Test("the audit log reads back newest first", arguments: StoreKind.covered)
    func audit(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        for (minute, action) in [(1, "login"), (2, "do-not-call"), (3, "logout")] {
            try await store.recordAudit(AuditEntry(at: local("2026-11-23 08:0\(minute)"), account: "ada", action: action, detail: "contact 1"))
        }
        let log = try await store.auditLog(limit: 2)
        #expect(log.map(\.action) == ["logout", "do-not-call"] && log[0].at == local("2026-11-23 08:03") && log[0].account == "ada")
    }

    @Test("contacts are searched by name or number, phase, owner and campaign, a page after an id; % and _ are plain text",
          arguments: StoreKind.covered)
    func search(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        _ = try await store.importContacts(try contacts(), now: local("2026-11-23 08:00"), policy: CallingPolicy())
        try await store.setDoNotCall(contactID: 3, now: local("2026-11-23 08:30"))
        func names(_ search: ContactSearch) async throws -> [String] { try await store.searchContacts(search).map(\.contact.name) }
        #expect(try await names(ContactSearch()) == ["Laura Harbolt", "Bob 100% O_Brien", "Carol"])
        #expect(try await names(ContactSearch(text: "harb")) == ["Laura Harbolt"])
        #expect(try await names(ContactSearch(text: "5550101")) == ["Bob 100% O_Brien"])
        #expect(try await names(ContactSearch(text: "0%")) == ["Bob 100% O_Brien"])
        #expect(try await names(ContactSearch(text: "_")) == ["Bob 100% O_Brien"])
        #expect(try await names(ContactSearch(owner: "Sam Ortiz")) == ["Laura Harbolt", "Carol"])
        #expect(try await names(ContactSearch(phase: "stopped")) == ["Carol"])
        #expect(try await names(ContactSearch(campaign: "spring", after: 1)) == ["Carol"])
        #expect(try await names(ContactSearch(limit: 2)) == ["Laura Harbolt", "Bob 100% O_Brien"])
        #expect(try await names(ContactSearch(text: "617", phase: "active")) == ["Laura Harbolt", "Bob 100% O_Brien"])
        #expect(try await names(ContactSearch(text: "o", owner: "Sam Ortiz", campaign: "spring", after: 1)) == ["Carol"])
        #expect(try await names(ContactSearch(text: "0", limit: 2)) == ["Laura Harbolt", "Bob 100% O_Brien"])
        #expect(try await names(ContactSearch(text: "1", after: 1)) == ["Bob 100% O_Brien", "Carol"])
        #expect(try await names(ContactSearch(text: "rol", phase: "active")).isEmpty)
        let first = try #require(try await store.searchContacts(ContactSearch(limit: 1)).first)
        #expect(first.phase == "active" && first.step == 1 && show(first.nextCallStart) == "Mon 2026-11-23 09:00")
    }

    @Test("calls are counted by outcome since a moment, and per week and step", arguments: StoreKind.covered)
    func counts(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        _ = try await store.importContacts(try contacts(), now: local("2026-11-23 08:00"), policy: CallingPolicy())
        let policy = CallingPolicy()
        func call(_ id: String, contact: Int64, at text: String, _ outcome: DialOutcome?) async throws {
            let start = CallStart(callID: id, contactID: contact, step: .first, dialNumber: 1, startedAt: local(text))
            guard let outcome else { return try await store.beginCall(start) }
            let stored = try #require(try await store.contact(id: contact))
            let state = try #require(try await store.followUp(contactID: contact))
            let decision = FollowUp.decide(contact: stored, state: state, outcome: outcome, now: local(text), policy: policy)
            try await store.recordCall(start, CallFinish(callID: id, endedAt: local(text), variables: AsteriskCallVariables(), outcome: outcome,
                                                         messagePlayed: decision.messageLeft, playedShare: 1, decision: decision))
        }
        try await call("tb-1", contact: 1, at: "2026-11-16 10:00", .voicemail(playedShare: 1))
        try await call("tb-2", contact: 2, at: "2026-11-23 10:00", .busy)
        try await call("tb-3", contact: 3, at: "2026-11-23 11:00", .human)
        try await call("tb-4", contact: 1, at: "2026-11-23 12:00", nil)
        let callback = CallStart(callID: "tb-5", contactID: 2, step: .first, dialNumber: 1, startedAt: local("2026-11-23 13:00"), origin: .inbound)
        try await store.recordCall(callback, CallFinish(callID: "tb-5", endedAt: local("2026-11-23 13:05"), variables: AsteriskCallVariables(),
                                                        outcome: .calledBack, decision: FollowUp.decide(
                                                            contact: try #require(try await store.contact(id: 2)),
                                                            state: try #require(try await store.followUp(contactID: 2)), outcome: .calledBack,
                                                            now: local("2026-11-23 13:00"), policy: policy)))
        #expect(try await store.outcomeCounts(since: local("2026-11-23 00:00")) == ["busy": 1, "human": 1, "in-progress": 1, "called-back": 1])
        #expect(try await store.latestCalls(since: local("2026-11-23 00:00"), owner: nil, limit: 2).map(\.callID) == ["tb-5", "tb-4"])
        #expect(try await store.latestCalls(since: local("2026-11-23 00:00"), owner: "Sam Ortiz", limit: 5).map(\.callID) == ["tb-4", "tb-3"])
        #expect(try await store.calls(contactID: 1).map(\.callID) == ["tb-1", "tb-4"])
        #expect(try await store.calls(contactID: nil).count == 5)
        let weeks = try await store.weeklyCounts()
        #expect(weeks.map(\.weekStart) == [Date(timeIntervalSince1970: 1_794_787_200), Date(timeIntervalSince1970: 1_795_392_000)])
        #expect(weeks.map(\.dials) == [1, 3], "a contact's call in is a callback, not a dial")
        #expect(weeks.map(\.voicemails) == [1, 0] && weeks.map(\.messagesLeft) == [1, 0] && weeks.map(\.callbacks) == [0, 1])
        #expect(weeks.map(\.reached) == [0, 1] && weeks.map(\.step) == [.first, .first])
    }

    @Test("a contact's details are replaced, its phone kept; a follow-up state is saved outside a call", arguments: StoreKind.covered)
    func editAndPause(kind: StoreKind) async throws {
        let store = try await StoreSite(kind).open()
        _ = try await store.importContacts(try contacts(), now: local("2026-11-23 08:00"), policy: CallingPolicy())
        var laura = try #require(try await store.contact(id: 1))
        laura.name = "Laura H. Harbolt"
        laura.campaign = nil
        try await store.updateContact(laura, now: local("2026-11-23 09:00"))
        #expect(try await store.contact(id: 1) == laura)
        #expect(try await store.searchContacts(ContactSearch(text: "h. harb")).map(\.contact.id) == [1])
        #expect(try await store.searchContacts(ContactSearch(text: "Laura Harbolt")).isEmpty)
        var ghost = laura
        ghost.id = 99
        await #expect(throws: StoreError.self) { try await store.updateContact(ghost, now: Date()) }
        var state = try #require(try await store.followUp(contactID: 1))
        state.nextCall = CallingWindow(start: local("2026-12-01 09:00"), end: local("2026-12-01 11:30"))
        try await store.saveFollowUp(state, contactID: 1, now: local("2026-11-23 09:00"))
        #expect(try await store.followUp(contactID: 1) == state)
        #expect(Set(try await store.dueFollowUps(now: local("2026-11-30 10:00"), limit: 10).map(\.contact.id)) == [2, 3])
    }
}
