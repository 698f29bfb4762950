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

extension Store {
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

    public func calls(contactID: Int64?, after cursor: CallCursor, limit: Int) async throws -> CallPage {
        let rows = try await writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id
                WHERE (? IS NULL OR call.contact_id = ?) AND (call.started_at, call.id) > (?, ?)
                ORDER BY call.started_at, call.id LIMIT ?
                """, arguments: [contactID, contactID, cursor.startedAt.timeIntervalSince1970, cursor.row, limit])
        }
        let next = rows.count == limit ? rows.last.map { CallCursor(startedAt: Date(timeIntervalSince1970: $0["started_at"]), row: $0["id"]) } : nil
        return CallPage(calls: try rows.map(Self.callRecord), next: next)
    }
}
