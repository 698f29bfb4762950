import Cadence
import Foundation
import PostgresNIO
import Store

/// `touchbase store copy`: a SQLite file's rows into an empty shared database, in one
/// transaction. Each page goes over as one JSON document that `json_to_recordset` unpacks,
/// so a page is one round trip whatever its size.
extension PostgresStore {
    /// Copies every contact (with its id and follow-up), call and message of `source`, and the
    /// console's accounts (one this database already has is kept) and audit log.
    ///
    /// - Returns: what was copied.
    /// - Throws: ``StoreError`` when this database already holds contacts, calls or messages;
    ///   then nothing is written.
    public func copy(from source: SQLiteStore) async throws -> StoreCopySummary {
        try await transaction { connection in
            try await connection.query("LOCK TABLE contact, follow_up, call, message IN EXCLUSIVE MODE", logger: logger)
            let held = try await connection.rows("""
                SELECT (SELECT COUNT(*) FROM contact) AS contacts, (SELECT COUNT(*) FROM call) AS calls,
                    (SELECT COUNT(*) FROM message) AS messages
                """, logger: logger)[0]
            let counts = try [held["contacts"], held["calls"], held["messages"]].map { try $0.decode(Int.self) }
            guard counts.allSatisfy({ $0 == 0 }) else {
                throw StoreError("the target already holds \(counts[0]) contacts, \(counts[1]) calls and \(counts[2]) messages; "
                                 + "copy only into an empty database, nothing was copied")
            }
            var summary = StoreCopySummary()
            try await source.exportBatches { batch in
                switch batch {
                case .contacts(let contacts):
                    try await Self.insertContacts(contacts, connection, logger: logger)
                    summary.contacts += contacts.count
                    summary.followUps += contacts.count(where: { $0.followUp != nil })
                case .calls(let calls):
                    try await Self.insertCalls(calls, connection, logger: logger)
                    summary.calls += calls.count
                case .messages(let messages):
                    try await Self.insertMessages(messages, connection, logger: logger)
                    summary.messages += messages.count
                case .accounts(let accounts):
                    summary.accounts += try await Self.insertAccounts(accounts, connection, logger: logger)
                case .audit(let entries):
                    try await Self.insertAudit(entries, connection, logger: logger)
                    summary.auditEntries += entries.count
                }
            }
            // Later imports take ids after the copied ones.
            try await connection.query("""
                SELECT setval(pg_get_serial_sequence('contact', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM contact
                """, logger: logger)
            return summary
        }
    }

    /// Rows as one JSON document for `json_to_recordset`: snake_case keys, times in seconds.
    static func copyJSON<T: Encodable>(_ rows: [T]) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }

    /// A contact and its follow-up as one JSON row.
    struct ContactRow: Encodable {
        var id: Int64?, name, phone, timeZone, ownerName, ownerDial, ownerCallback, company, connection, topic: String
        var campaign: String?, doNotCall: Bool, createdAt, updatedAt: Date
        var phase: String?, step: Int?, nextCallStart: Date?, state: String?, followUpUpdatedAt: Date?

        init(_ contact: Contact, createdAt: Date, updatedAt: Date, followUp: (state: FollowUpState, updatedAt: Date)?,
             stateJSON: String? = nil) throws {
            (id, name, phone, timeZone) = (contact.id, contact.name, contact.phone, contact.timeZone)
            (ownerName, ownerDial, ownerCallback) = (contact.owner.name, contact.owner.dialString, contact.owner.callbackNumber)
            (company, connection, topic, campaign, doNotCall) = (contact.company, contact.connection, contact.topic, contact.campaign,
                                                                 contact.doNotCall)
            (self.createdAt, self.updatedAt) = (createdAt, updatedAt)
            let state = followUp?.state
            (phase, step, nextCallStart) = (state?.phase.name, state?.step.rawValue, state?.nextCall?.start)
            (self.state, followUpUpdatedAt) = (try stateJSON ?? state.map(StoredJSON.encode), followUp?.updatedAt)
        }
    }

    private static func insertContacts(_ contacts: [CopiedContact], _ connection: PostgresConnection, logger: Logger) async throws {
        let document = try copyJSON(try contacts.map { try ContactRow($0.contact, createdAt: $0.createdAt, updatedAt: $0.updatedAt,
                                                                       followUp: $0.followUp) })
        try await connection.query("""
            INSERT INTO contact (id, name, phone, time_zone, owner_name, owner_dial, owner_callback, company, connection, topic, campaign,
                do_not_call, created_at, updated_at)
            SELECT id, name, phone, time_zone, owner_name, owner_dial, owner_callback, company, connection, topic, campaign,
                do_not_call, to_timestamp(created_at), to_timestamp(updated_at)
            FROM json_to_recordset(\(document)::json) AS x(id BIGINT, name TEXT, phone TEXT, time_zone TEXT, owner_name TEXT,
                owner_dial TEXT, owner_callback TEXT, company TEXT, connection TEXT, topic TEXT, campaign TEXT, do_not_call BOOLEAN,
                created_at DOUBLE PRECISION, updated_at DOUBLE PRECISION)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO follow_up (contact_id, phase, step, next_call_start, state, updated_at)
            SELECT id, phase, step, to_timestamp(next_call_start), state, to_timestamp(follow_up_updated_at)
            FROM json_to_recordset(\(document)::json) AS x(id BIGINT, phase TEXT, step INTEGER, next_call_start DOUBLE PRECISION,
                state TEXT, follow_up_updated_at DOUBLE PRECISION)
            WHERE state IS NOT NULL
            """, logger: logger)
    }

    private struct CallRow: Encodable {
        var callId: String, contactId: Int64, step, dialNumber: Int, startedAt: Date, endedAt: Date?
        var asteriskUniqueId, asteriskLinkedId, variables, outcome: String?, messageLeft: Int?, playedShare: Double?, voice: String?
        var nextCallStart, nextCallEnd: Date?, promise, note: String?, origin: String, trunk, plannedMessage: String?
        var audiosocketId, greeting: String?
    }

    private static func insertCalls(_ calls: [CallRecord], _ connection: PostgresConnection, logger: Logger) async throws {
        let document = try copyJSON(try calls.map { call in
            CallRow(callId: call.callID, contactId: call.contactID, step: call.step.rawValue, dialNumber: call.dialNumber,
                    startedAt: call.startedAt, endedAt: call.endedAt, asteriskUniqueId: call.asteriskUniqueID,
                    asteriskLinkedId: call.asteriskLinkedID, variables: call.variables,
                    outcome: call.outcome?.logValue, messageLeft: call.messageLeft?.rawValue, playedShare: call.playedShare,
                    voice: call.voice, nextCallStart: call.nextCallStart, nextCallEnd: call.nextCallEnd, promise: call.promise,
                    note: call.note, origin: call.origin.rawValue, trunk: call.trunk,
                    plannedMessage: try call.plannedMessage.map(StoredJSON.encode),
                    audiosocketId: call.audioSocketID?.uuidString.lowercased(), greeting: try call.greeting.map(StoredJSON.encode))
        })
        try await connection.query("""
            INSERT INTO call (call_id, contact_id, step, dial_number, started_at, ended_at, asterisk_unique_id, asterisk_linked_id, variables, outcome,
                message_left, played_share, voice, next_call_start, next_call_end, promise, note, origin, trunk, planned_message,
                audiosocket_id, greeting)
            SELECT call_id, contact_id, step, dial_number, to_timestamp(started_at), to_timestamp(ended_at), asterisk_unique_id,
                asterisk_linked_id, variables, outcome, message_left, played_share, voice, to_timestamp(next_call_start), to_timestamp(next_call_end),
                promise, note, origin, trunk, planned_message, audiosocket_id, greeting
            FROM json_to_recordset(\(document)::json) AS x(call_id TEXT, contact_id BIGINT, step INTEGER, dial_number INTEGER,
                started_at DOUBLE PRECISION, ended_at DOUBLE PRECISION, asterisk_unique_id TEXT, asterisk_linked_id TEXT, variables TEXT,
                outcome TEXT,
                message_left INTEGER, played_share DOUBLE PRECISION, voice TEXT, next_call_start DOUBLE PRECISION,
                next_call_end DOUBLE PRECISION, promise TEXT, note TEXT, origin TEXT, trunk TEXT, planned_message TEXT,
                audiosocket_id TEXT, greeting TEXT)
            """, logger: logger)
    }

    private static func insertMessages(_ messages: [MessageRecord], _ connection: PostgresConnection, logger: Logger) async throws {
        let document = try copyJSON(messages.map { message in
            ["contact_id": "\(message.contactID)", "step": "\(message.step.rawValue)", "text": message.text, "promise": message.promise,
             "audio_path": message.audioPath, "voice": message.voice, "rendered_at": "\(message.renderedAt.timeIntervalSince1970)"]
        })
        try await connection.query("""
            INSERT INTO message (contact_id, step, text, promise, audio_path, voice, rendered_at)
            SELECT contact_id::BIGINT, step::INTEGER, text, promise, audio_path, voice, to_timestamp(rendered_at::DOUBLE PRECISION)
            FROM json_to_recordset(\(document)::json) AS x(contact_id TEXT, step TEXT, text TEXT, promise TEXT, audio_path TEXT,
                voice TEXT, rendered_at TEXT)
            """, logger: logger)
    }

    /// Inserts the accounts this database does not have yet; returns how many.
    private static func insertAccounts(_ accounts: [ConsoleAccount], _ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let document = try copyJSON(accounts.map { ["name": $0.name, "role": $0.role.rawValue, "password_hash": $0.passwordHash,
                                                    "created_at": "\($0.createdAt.timeIntervalSince1970)"] })
        return try await connection.rows("""
            INSERT INTO console_account (name, role, password_hash, created_at)
            SELECT name, role, password_hash, to_timestamp(created_at::DOUBLE PRECISION)
            FROM json_to_recordset(\(document)::json) AS x(name TEXT, role TEXT, password_hash TEXT, created_at TEXT)
            ON CONFLICT (name) DO NOTHING RETURNING name
            """, logger: logger).count
    }

    private static func insertAudit(_ entries: [AuditEntry], _ connection: PostgresConnection, logger: Logger) async throws {
        let document = try copyJSON(entries.map { ["at": "\($0.at.timeIntervalSince1970)", "account": $0.account, "action": $0.action,
                                                   "detail": $0.detail] })
        try await connection.query("""
            INSERT INTO console_audit (at, account, action, detail)
            SELECT to_timestamp(at::DOUBLE PRECISION), account, action, detail
            FROM json_to_recordset(\(document)::json) AS x(at TEXT, account TEXT, action TEXT, detail TEXT)
            """, logger: logger)
    }
}
