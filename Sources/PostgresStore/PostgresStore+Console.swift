import Cadence
import Foundation
import PostgresNIO
import Store

/// The web console's accounts, audit log and page queries: as ``SQLiteStore`` answers them.
extension PostgresStore {
    /// Setting an account again (a new password, another role) ends its sessions.
    public func saveAccount(_ account: ConsoleAccount) async throws {
        _ = try await rows("""
            WITH saved AS (
                INSERT INTO console_account (name, role, password_hash, created_at)
                VALUES (\(account.name), \(account.role.rawValue), \(account.passwordHash), \(account.createdAt))
                ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash
                RETURNING name
            )
            DELETE FROM console_session WHERE account IN (SELECT name FROM saved)
            """)
    }

    public func openConsoleSession(_ session: StoredConsoleSession) async throws {
        _ = try await rows("""
            INSERT INTO console_session (token_hash, account, csrf_token, opened_at, last_used)
            VALUES (\(session.tokenHash), \(session.account), \(session.csrfToken), \(session.openedAt), \(session.lastUsed))
            """)
    }

    public func consoleSession(tokenHash: String) async throws -> StoredConsoleSession? {
        try await rows("""
            SELECT console_session.*, console_account.role FROM console_session
            JOIN console_account ON console_account.name = console_session.account WHERE token_hash = \(tokenHash)
            """).first.map { row in
            StoredConsoleSession(tokenHash: try row["token_hash"].decode(String.self), account: try row["account"].decode(String.self),
                                 role: ConsoleRole(rawValue: try row["role"].decode(String.self)) ?? .owner,
                                 csrfToken: try row["csrf_token"].decode(String.self), openedAt: try row["opened_at"].decode(Date.self),
                                 lastUsed: try row["last_used"].decode(Date.self))
        }
    }

    public func touchConsoleSession(tokenHash: String, at: Date) async throws {
        _ = try await rows("UPDATE console_session SET last_used = GREATEST(last_used, \(at)) WHERE token_hash = \(tokenHash)")
    }

    public func closeConsoleSessions(tokenHash: String?, idleBefore: Date) async throws {
        _ = try await rows("DELETE FROM console_session WHERE token_hash = \(tokenHash) OR last_used < \(idleBefore)")
    }

    public func account(name: String) async throws -> ConsoleAccount? {
        try await rows("SELECT * FROM console_account WHERE name = \(name)").first.map { row in
            ConsoleAccount(name: try row["name"].decode(String.self), role: ConsoleRole(rawValue: try row["role"].decode(String.self)) ?? .owner,
                           passwordHash: try row["password_hash"].decode(String.self), createdAt: try row["created_at"].decode(Date.self))
        }
    }

    public func recordAudit(_ entry: AuditEntry) async throws {
        _ = try await rows("""
            INSERT INTO console_audit (at, account, action, detail) VALUES (\(entry.at), \(entry.account), \(entry.action), \(entry.detail))
            """)
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await rows("SELECT * FROM console_audit ORDER BY id DESC LIMIT \(limit)").map { row in
            AuditEntry(at: try row["at"].decode(Date.self), account: try row["account"].decode(String.self),
                       action: try row["action"].decode(String.self), detail: try row["detail"].decode(String.self))
        }
    }

    public func searchContacts(_ search: ContactSearch) async throws -> [ContactListing] {
        try await rows(Self.contactSearchQuery(search)).map { row in
            ContactListing(contact: try Self.contact(row), phase: try row["fu_phase"].decode(String?.self) ?? "",
                           step: try row["fu_step"].decode(Int?.self) ?? 0, nextCallStart: try row["fu_next"].decode(Date?.self))
        }
    }

    /// One statement with only the filters `search` gives, as ``SQLiteStore`` builds its own.
    ///
    /// The range `> after` is stated on follow_up too: PostgreSQL does not carry it across a left
    /// join, and its merge join then read follow_up from the first row for a page in the middle.
    /// Text is looked for in two branches, each walking contacts in id order and stopping at the
    /// page's last row, merged after: with `name ILIKE … OR phone LIKE …` every contact before
    /// the first match paid for a case-insensitive comparison of its name, and the name alone has
    /// its trigram index. The phase is checked on each contact a branch finds (a lateral
    /// subquery, which PostgreSQL cannot turn into a merge join over every follow-up).
    static func contactSearchQuery(_ search: ContactSearch) -> PostgresQuery {
        var binds = PostgresBindings()
        func parameter(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let after = parameter(search.after), limit = parameter(search.limit)
        var filters = ["contact.id > \(after)"]
        if let owner = search.owner { filters.append("contact.owner_name = \(parameter(owner))") }
        if let campaign = search.campaign { filters.append("contact.campaign = \(parameter(campaign))") }
        let phase = search.phase.map(parameter)
        let listing = """
            SELECT contact.*, follow_up.phase AS fu_phase, follow_up.step AS fu_step, follow_up.next_call_start AS fu_next
            FROM contact LEFT JOIN follow_up ON follow_up.contact_id = contact.id AND follow_up.contact_id > \(after)
            """
        guard let like = search.likePattern else {
            if let phase { filters.append("follow_up.phase = \(phase)") }
            return PostgresQuery(unsafeSQL: "\(listing) WHERE \(filters.joined(separator: " AND ")) ORDER BY contact.id LIMIT \(limit)", binds: binds)
        }
        let pattern = parameter(like)
        var source = "contact"
        if let phase {
            source += " CROSS JOIN LATERAL (SELECT phase FROM follow_up WHERE follow_up.contact_id = contact.id OFFSET 0) AS found"
            filters.append("found.phase = \(phase)")
        }
        let branches = ["contact.name ILIKE \(pattern) ESCAPE '\\'", "contact.phone LIKE \(pattern) ESCAPE '\\'"].map { match in
            "(SELECT contact.id FROM \(source) WHERE \((filters + [match]).joined(separator: " AND ")) ORDER BY contact.id LIMIT \(limit))"
        }
        return PostgresQuery(unsafeSQL: """
            \(listing) WHERE contact.id IN (\(branches.joined(separator: " UNION ALL "))) ORDER BY contact.id LIMIT \(limit)
            """, binds: binds)
    }

    public func outcomeCounts(since date: Date) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await rows("""
            SELECT COALESCE(outcome, 'in-progress') AS outcome, COUNT(*) AS n FROM call WHERE started_at >= \(date) GROUP BY 1
            """) {
            counts[try row["outcome"].decode(String.self)] = try row["n"].decode(Int.self)
        }
        return counts
    }

    public func latestCalls(since date: Date, owner: String?, limit: Int) async throws -> [CallRecord] {
        // Two statements rather than `IS NULL OR`, as for the contacts page.
        let query: PostgresQuery = if let owner {
            """
            \(unescaped: Self.callColumns) WHERE call.started_at >= \(date) AND contact.owner_name = \(owner)
            ORDER BY call.started_at DESC, call.id DESC LIMIT \(limit)
            """
        } else {
            "\(unescaped: Self.callColumns) WHERE call.started_at >= \(date) ORDER BY call.started_at DESC, call.id DESC LIMIT \(limit)"
        }
        return try await rows(query).map(Self.callRecord)
    }

    public func weeklyCounts() async throws -> [WeeklyStepCounts] {
        try await rows("""
            SELECT floor((extract(epoch FROM started_at) - \(WeeklyStepCounts.mondayOffset)) / 604800)::bigint AS week, step,
                COUNT(*) FILTER (WHERE origin <> 'inbound') AS dials, COUNT(*) FILTER (WHERE outcome = 'voicemail') AS voicemails,
                COUNT(message_left) AS messages_left, COUNT(*) FILTER (WHERE outcome = 'human') AS reached,
                COUNT(*) FILTER (WHERE outcome = 'called-back') AS callbacks, COUNT(*) FILTER (WHERE note LIKE '%parked%') AS parked,
                COUNT(*) FILTER (WHERE note LIKE 'stopped%') AS stopped
            FROM call GROUP BY week, step ORDER BY week, step
            """).map { row in
            try WeeklyStepCounts(week: try row["week"].decode(Int.self), step: try row["step"].decode(Int.self),
                                 counts: try WeeklyStepCounts.columns.map { try row[$0].decode(Int.self) })
        }
    }

    public func updateContact(_ contact: Contact, now: Date) async throws {
        guard let id = contact.id else { throw StoreError("the contact has no id") }
        let updated = try await rows("""
            UPDATE contact SET name = \(contact.name), time_zone = \(contact.timeZone), owner_name = \(contact.owner.name),
                owner_dial = \(contact.owner.dialString), owner_callback = \(contact.owner.callbackNumber), company = \(contact.company),
                connection = \(contact.connection), topic = \(contact.topic), campaign = \(contact.campaign), updated_at = \(now)
            WHERE id = \(id) RETURNING id
            """)
        guard !updated.isEmpty else { throw StoreError("no contact with id \(id)") }
    }

    public func saveFollowUp(_ state: FollowUpState, contactID: Int64, now: Date) async throws {
        try await transaction { connection in try await Self.saveState(state, contactID: contactID, now: now, connection, logger: logger) }
    }
}
