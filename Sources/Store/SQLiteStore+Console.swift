import Cadence
import Foundation
import GRDB

extension SQLiteStore {
    /// Setting an account again (a new password, another role) ends its sessions.
    public func saveAccount(_ account: ConsoleAccount) async throws {
        try await writer.write { db in
            try db.execute(sql: """
                INSERT INTO console_account (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash
                """, arguments: [account.name, account.role.rawValue, account.passwordHash, account.createdAt.timeIntervalSince1970])
            try db.execute(sql: "DELETE FROM console_session WHERE account = ?", arguments: [account.name])
        }
    }

    public func openConsoleSession(_ session: StoredConsoleSession) async throws {
        try await writer.write { db in
            try db.execute(sql: """
                INSERT INTO console_session (token_hash, account, csrf_token, opened_at, last_used) VALUES (?, ?, ?, ?, ?)
                """, arguments: [session.tokenHash, session.account, session.csrfToken, session.openedAt.timeIntervalSince1970,
                                 session.lastUsed.timeIntervalSince1970])
        }
    }

    public func consoleSession(tokenHash: String) async throws -> StoredConsoleSession? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: """
                SELECT console_session.*, console_account.role FROM console_session
                JOIN console_account ON console_account.name = console_session.account WHERE token_hash = ?
                """, arguments: [tokenHash]).map { row in
                StoredConsoleSession(tokenHash: row["token_hash"], account: row["account"], role: ConsoleRole(rawValue: row["role"]) ?? .owner,
                                     csrfToken: row["csrf_token"], openedAt: Date(timeIntervalSince1970: row["opened_at"]),
                                     lastUsed: Date(timeIntervalSince1970: row["last_used"]))
            }
        }
    }

    public func touchConsoleSession(tokenHash: String, at: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE console_session SET last_used = MAX(last_used, ?) WHERE token_hash = ?",
                           arguments: [at.timeIntervalSince1970, tokenHash])
        }
    }

    public func closeConsoleSessions(tokenHash: String?, idleBefore: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM console_session WHERE token_hash = ? OR last_used < ?",
                           arguments: [tokenHash, idleBefore.timeIntervalSince1970])
        }
    }

    public func account(name: String) async throws -> ConsoleAccount? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM console_account WHERE name = ?", arguments: [name]).map(Self.account)
        }
    }

    public func recordAudit(_ entry: AuditEntry) async throws {
        try await writer.write { db in
            try db.execute(sql: "INSERT INTO console_audit (at, account, action, detail) VALUES (?, ?, ?, ?)",
                           arguments: [entry.at.timeIntervalSince1970, entry.account, entry.action, entry.detail])
        }
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM console_audit ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.auditEntry)
        }
    }

    static func account(_ row: Row) -> ConsoleAccount {
        ConsoleAccount(name: row["name"], role: ConsoleRole(rawValue: row["role"]) ?? .owner, passwordHash: row["password_hash"],
                       createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(at: Date(timeIntervalSince1970: row["at"]), account: row["account"], action: row["action"], detail: row["detail"])
    }

    public func searchContacts(_ search: ContactSearch) async throws -> [ContactListing] {
        // Three characters and more are found through the trigram index, whose matches come in
        // id order so a page stops after its last row; shorter text by LIKE, which reads every
        // contact. The phase (`+`: not through its index) is checked on contacts in id order, as
        // sorting every active contact for one page cost far more.
        var source = "contact"
        var order = "contact.id"
        var filters: [String] = []
        var arguments: [DatabaseValue] = []
        if let phrase = search.trigramPhrase {
            source = "(SELECT rowid AS hit_id FROM contact_search WHERE contact_search MATCH ? AND rowid > ? ORDER BY rowid) AS hit CROSS JOIN contact ON contact.id = hit.hit_id"
            order = "hit.hit_id"
            arguments += [phrase.databaseValue, search.after.databaseValue]
        } else {
            filters.append("contact.id > ?")
            arguments.append(search.after.databaseValue)
            if let like = search.likePattern {
                filters.append("(contact.name LIKE ? ESCAPE '\\' OR contact.phone LIKE ? ESCAPE '\\')")
                arguments += [like.databaseValue, like.databaseValue]
            }
        }
        for (column, value) in [("+follow_up.phase", search.phase), ("contact.owner_name", search.owner), ("contact.campaign", search.campaign)] {
            guard let value else { continue }
            filters.append("\(column) = ?")
            arguments.append(value.databaseValue)
        }
        arguments.append(search.limit.databaseValue)
        let statementArguments = StatementArguments(arguments)
        let sql = """
            SELECT contact.*, follow_up.phase AS fu_phase, follow_up.step AS fu_step, follow_up.next_call_start AS fu_next
            FROM \(source) LEFT JOIN follow_up ON follow_up.contact_id = contact.id
            \(filters.isEmpty ? "" : "WHERE " + filters.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?
            """
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map { row in
                ContactListing(contact: Self.contact(row), phase: row["fu_phase"] ?? "", step: row["fu_step"] ?? 0,
                               nextCallStart: (row["fu_next"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    public func outcomeCounts(since date: Date) async throws -> [String: Int] {
        try await writer.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT COALESCE(outcome, 'in-progress') AS outcome, COUNT(*) AS n FROM call WHERE started_at >= ? GROUP BY 1
                """, arguments: [date.timeIntervalSince1970]) {
                counts[row["outcome"]] = row["n"]
            }
            return counts
        }
    }

    public func latestCalls(since date: Date, owner: String?, limit: Int) async throws -> [CallRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id
                WHERE call.started_at >= ? \(owner == nil ? "" : "AND contact.owner_name = ?") ORDER BY call.started_at DESC, call.id DESC LIMIT ?
                """, arguments: StatementArguments([date.timeIntervalSince1970] + (owner.map { [$0] } ?? []) + [limit])).map(Self.callRecord)
        }
    }

    public func weeklyCounts() async throws -> [WeeklyStepCounts] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT CAST(floor((started_at - ?) / 604800) AS INTEGER) AS week, step, SUM(origin <> 'inbound') AS dials,
                    SUM(outcome = 'voicemail') AS voicemails, SUM(message_left IS NOT NULL) AS messages_left,
                    SUM(outcome = 'human') AS reached, SUM(outcome = 'called-back') AS callbacks,
                    SUM(COALESCE(note LIKE '%parked%', 0)) AS parked, SUM(COALESCE(note LIKE 'stopped%', 0)) AS stopped
                FROM call GROUP BY week, step ORDER BY week, step
                """, arguments: [WeeklyStepCounts.mondayOffset]).map { row in
                try WeeklyStepCounts(week: row["week"], step: row["step"], counts: WeeklyStepCounts.columns.map { row[$0] ?? 0 })
            }
        }
    }

    public func updateContact(_ contact: Contact, now: Date) async throws {
        guard let id = contact.id else { throw StoreError("the contact has no id") }
        try await writer.write { db in
            try db.execute(sql: """
                UPDATE contact SET name = ?, time_zone = ?, owner_name = ?, owner_dial = ?, owner_callback = ?, company = ?,
                    connection = ?, topic = ?, campaign = ?, updated_at = ? WHERE id = ?
                """, arguments: [contact.name, contact.timeZone, contact.owner.name, contact.owner.dialString, contact.owner.callbackNumber,
                                 contact.company, contact.connection, contact.topic, contact.campaign, now.timeIntervalSince1970, id])
            guard db.changesCount == 1 else { throw StoreError("no contact with id \(id)") }
        }
    }

    public func saveFollowUp(_ state: FollowUpState, contactID: Int64, now: Date) async throws {
        try await writer.write { db in try Self.saveState(state, contactID: contactID, now: now, db: db) }
    }
}
