import Cadence
import Foundation
import GRDB

/// Where a page of the call log ended: the next page starts after it. Calls are in the log's
/// order, by start and then by the order the store wrote them.
public struct CallCursor: Sendable, Hashable {
    /// The last call's start.
    public var startedAt: Date
    /// The last call's row in the store.
    public var row: Int64

    /// Creates a cursor.
    public init(startedAt: Date, row: Int64) {
        self.startedAt = startedAt
        self.row = row
    }

    /// Before every call.
    public static let start = CallCursor(startedAt: .distantPast, row: 0)
}

/// A page of the call log, and where the next one starts (`nil` after the last).
public struct CallPage: Sendable, Hashable {
    /// The calls, oldest first.
    public var calls: [CallRecord]
    /// The cursor for the next page; `nil` when this page was the last.
    public var next: CallCursor?

    /// Creates a page.
    public init(calls: [CallRecord], next: CallCursor?) {
        self.calls = calls
        self.next = next
    }
}

/// A contact and where its follow-up stands, read from the follow-up's columns without its
/// whole state.
public struct ContactStanding: Sendable, Hashable {
    /// The contact.
    public var contact: Contact
    /// The follow-up's phase (`active`, `parked`, …), or `nil` when it has none.
    public var phase: String?
    /// The message its next voicemail gets.
    public var step: MessageStep?
    /// When its next call may start.
    public var nextCallStart: Date?

    /// Creates a standing.
    public init(contact: Contact, phase: String?, step: MessageStep?, nextCallStart: Date?) {
        self.contact = contact
        self.phase = phase
        self.step = step
        self.nextCallStart = nextCallStart
    }
}

extension Store {
    /// Adds new contacts and updates known ones, in one transaction.
    public func importContacts(_ contacts: [Contact], now: Date, policy: CallingPolicy) async throws -> ImportSummary {
        try await importContacts(ContactList(contacts), now: now, policy: policy)
    }

    /// Every contact, by id, gathered from pages: for a list known to be small (a simulation,
    /// a test). Commands walk ``forEachContactPage(pageSize:_:)`` instead.
    public func contacts() async throws -> [Contact] {
        var all: [Contact] = []
        try await forEachContactPage { all += $0 }
        return all
    }

    /// Every call, or one contact's, oldest first, gathered from pages: for one contact's calls
    /// or a log known to be small. Commands walk ``forEachCallPage(contactID:pageSize:_:)`` instead.
    public func calls(contactID: Int64?) async throws -> [CallRecord] {
        var all: [CallRecord] = []
        try await forEachCallPage(contactID: contactID) { all += $0 }
        return all
    }

    /// Every contact with its standing, a page at a time, by id.
    public func forEachContactStanding(pageSize: Int = 1000, _ body: ([ContactStanding]) async throws -> Void) async throws {
        var after: Int64 = 0
        while true {
            let page = try await contactStandings(after: after, limit: pageSize)
            guard let last = page.last?.contact.id else { return }
            try await body(page)
            after = last
        }
    }

    /// Every contact, a page at a time, so a list of a million contacts is never in memory at once.
    ///
    /// - Parameters:
    ///   - pageSize: contacts per read.
    ///   - body: called with each page, by id.
    public func forEachContactPage(pageSize: Int = 1000, _ body: ([Contact]) async throws -> Void) async throws {
        var after: Int64 = 0
        while true {
            let page = try await contacts(after: after, limit: pageSize)
            guard let last = page.last?.id else { return }
            try await body(page)
            after = last
        }
    }

    /// Every call, or one contact's, a page at a time, oldest first.
    ///
    /// - Parameters:
    ///   - contactID: one contact's calls, or `nil` for all.
    ///   - pageSize: calls per read.
    ///   - body: called with each page.
    public func forEachCallPage(contactID: Int64? = nil, pageSize: Int = 1000, _ body: ([CallRecord]) async throws -> Void) async throws {
        var cursor = CallCursor.start
        while true {
            let page = try await calls(contactID: contactID, after: cursor, limit: pageSize)
            if !page.calls.isEmpty { try await body(page.calls) }
            guard let next = page.next else { return }
            cursor = next
        }
    }
}

extension SQLiteStore {
    public func contacts(after id: Int64, limit: Int) async throws -> [Contact] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM contact WHERE id > ? ORDER BY id LIMIT ?", arguments: [id, limit]).map(Self.contact)
        }
    }

    public func contactStandings(after id: Int64, limit: Int) async throws -> [ContactStanding] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT contact.*, follow_up.phase AS follow_up_phase, follow_up.step AS follow_up_step,
                    follow_up.next_call_start AS follow_up_next_call_start
                FROM contact LEFT JOIN follow_up ON follow_up.contact_id = contact.id WHERE contact.id > ? ORDER BY contact.id LIMIT ?
                """, arguments: [id, limit]).map { row in
                let contact = Self.contact(row)
                return ContactStanding(contact: contact, phase: row["follow_up_phase"],
                                       step: try (row["follow_up_step"] as Int?).map { try MessageStep(stored: $0, of: "contact \(contact.id ?? 0)") },
                                       nextCallStart: (row["follow_up_next_call_start"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    public func calls(contactID: Int64?, after cursor: CallCursor, limit: Int) async throws -> CallPage {
        // Two statements rather than `? IS NULL OR`, so each keeps its index: call_log for the
        // whole log, call_contact for one contact's calls.
        let filter = contactID == nil ? "" : "call.contact_id = ? AND"
        let (after, row) = (cursor.startedAt.timeIntervalSince1970, cursor.row)
        let arguments: StatementArguments = contactID.map { id -> StatementArguments in [id, after, row, limit] } ?? [after, row, limit]
        let rows = try await writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id
                WHERE \(filter) (call.started_at, call.id) > (?, ?)
                ORDER BY call.started_at, call.id LIMIT ?
                """, arguments: arguments)
        }
        let next = rows.count == limit ? rows.last.map { CallCursor(startedAt: Date(timeIntervalSince1970: $0["started_at"]), row: $0["id"]) } : nil
        return CallPage(calls: try rows.map(Self.callRecord), next: next)
    }
}
