import Cadence
import Foundation
import GRDB

/// What `touchbase store copy` moved.
public struct StoreCopySummary: Sendable, Hashable, CustomStringConvertible {
    /// Contacts copied.
    public var contacts = 0
    /// Follow-up states copied (one per contact that has one).
    public var followUps = 0
    /// Calls copied.
    public var calls = 0
    /// Messages copied.
    public var messages = 0
    /// Console accounts copied (an account the target already has is kept as it is there).
    public var accounts = 0
    /// Entries of the console's audit log copied.
    public var auditEntries = 0

    /// An empty summary.
    public init() {}

    public var description: String {
        "\(contacts) contacts, \(followUps) follow-ups, \(calls) calls, \(messages) messages, \(accounts) console accounts, "
            + "\(auditEntries) audit entries"
    }
}

/// A contact as copied between stores: its row, its timestamps and its follow-up state.
public struct CopiedContact: Sendable, Hashable {
    /// The contact, with its id.
    public var contact: Contact
    /// When it was first imported.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// Its follow-up state and when that last changed; `nil` when it has none.
    public var followUp: (state: FollowUpState, updatedAt: Date)?

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.contact == rhs.contact && lhs.createdAt == rhs.createdAt && lhs.updatedAt == rhs.updatedAt
            && lhs.followUp?.state == rhs.followUp?.state && lhs.followUp?.updatedAt == rhs.followUp?.updatedAt
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(contact) }
}

/// One page of a store's rows, in the order a copy must write them (contacts before the calls
/// and messages that refer to them).
public enum StoreCopyBatch: Sendable {
    case contacts([CopiedContact])
    case calls([CallRecord])
    case messages([MessageRecord])
    /// The console's accounts, with their password hashes.
    case accounts([ConsoleAccount])
    /// The console's audit log, oldest first.
    case audit([AuditEntry])
}

extension SQLiteStore {
    /// Reads every contact, call and message in pages of `size`, by id, so a large file is never
    /// held in memory at once. Each page is its own read: run it on a file no node is writing.
    ///
    /// - Parameter body: called with each page, contacts first, then calls, messages, the
    ///   console's accounts and its audit log.
    public func exportBatches(size: Int = 2000, _ body: (StoreCopyBatch) async throws -> Void) async throws {
        try await pages(size, sql: """
            SELECT contact.*, follow_up.state AS follow_up_state, follow_up.updated_at AS follow_up_updated_at
            FROM contact LEFT JOIN follow_up ON follow_up.contact_id = contact.id WHERE contact.id > ? ORDER BY contact.id LIMIT ?
            """) { rows in
            try await body(.contacts(try rows.map { row in
                CopiedContact(contact: Self.contact(row), createdAt: Date(timeIntervalSince1970: row["created_at"]),
                              updatedAt: Date(timeIntervalSince1970: row["updated_at"]),
                              followUp: try (row["follow_up_state"] as String?).map {
                                  (try Self.decode(FollowUpState.self, $0), Date(timeIntervalSince1970: row["follow_up_updated_at"]))
                              })
            }))
        }
        try await pages(size, sql: """
            SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id
            WHERE call.id > ? ORDER BY call.id LIMIT ?
            """) { rows in try await body(.calls(try rows.map(Self.callRecord))) }
        try await pages(size, sql: "SELECT * FROM message WHERE id > ? ORDER BY id LIMIT ?") { rows in
            try await body(.messages(try rows.map(Self.messageRecord)))
        }
        let accounts = try await writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM console_account ORDER BY name").map(Self.account) }
        if !accounts.isEmpty { try await body(.accounts(accounts)) }
        try await pages(size, sql: "SELECT * FROM console_audit WHERE id > ? ORDER BY id LIMIT ?") { rows in
            try await body(.audit(rows.map(Self.auditEntry)))
        }
    }

    /// Reads a table in pages by its `id`: `sql` takes the last id seen and the page size.
    private func pages(_ size: Int, sql: String, _ body: ([Row]) async throws -> Void) async throws {
        var after: Int64 = 0
        while true {
            let rows = try await writer.read { db in try Row.fetchAll(db, sql: sql, arguments: [after, size]) }
            guard let last = rows.last else { return }
            try await body(rows)
            after = last["id"]
        }
    }
}
