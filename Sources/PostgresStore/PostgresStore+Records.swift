import Cadence
import Foundation
import PostgresNIO
import Store

/// Contacts, follow-ups, calls and messages: the same rows and rules as ``SQLiteStore``, in
/// PostgreSQL's types (`TIMESTAMPTZ`, `BOOLEAN`, identity keys).
extension PostgresStore {
    public func importContacts(_ batches: some ContactBatches, now: Date, policy: CallingPolicy) async throws -> ImportSummary {
        try await transaction { connection in
            var summary = ImportSummary(inserted: 0, updated: 0)
            var starts = FollowUpStarts(now: now, policy: policy)
            while let contacts = try batches.next() {
                for batch in Self.importBatches(contacts, size: 1000) {
                    let inserted = try await Self.upsert(batch, now: now, starts: &starts, connection, logger: logger)
                    summary.inserted += inserted
                    summary.updated += batch.count - inserted
                }
            }
            return summary
        }
    }

    /// Batches in file order, a phone at most once in each, so one statement never meets the
    /// same contact twice; a repeated phone updates the contact its first row added.
    static func importBatches(_ contacts: [Contact], size: Int) -> [[Contact]] {
        var batches: [[Contact]] = []
        var batch: [Contact] = [], phones: Set<String> = []
        for contact in contacts {
            if batch.count == size || phones.contains(contact.phone) {
                batches.append(batch)
                (batch, phones) = ([], [])
            }
            batch.append(contact)
            phones.insert(contact.phone)
        }
        if !batch.isEmpty { batches.append(batch) }
        return batches
    }

    /// Adds or updates one batch in one statement, and starts the follow-up of each contact it
    /// added; returns how many it added. `xmax = 0` holds only on rows the statement inserted.
    private static func upsert(_ batch: [Contact], now: Date, starts: inout FollowUpStarts, _ connection: PostgresConnection,
                               logger: Logger) async throws -> Int {
        let document = try copyJSON(try batch.map { contact in
            let start = try starts.start(for: contact)
            return try ContactRow(contact, createdAt: now, updatedAt: now, followUp: (start.state, now), stateJSON: start.json)
        })
        let rows = try await connection.rows("""
            WITH input AS (
                SELECT * FROM json_to_recordset(\(document)::json) AS x(name TEXT, phone TEXT, time_zone TEXT, owner_name TEXT,
                    owner_dial TEXT, owner_callback TEXT, company TEXT, connection TEXT, topic TEXT, campaign TEXT, do_not_call BOOLEAN,
                    phase TEXT, step INTEGER, next_call_start DOUBLE PRECISION, state TEXT)
            ), upserted AS (
                INSERT INTO contact (name, phone, time_zone, owner_name, owner_dial, owner_callback, company, connection, topic, campaign,
                    do_not_call, created_at, updated_at)
                SELECT name, phone, time_zone, owner_name, owner_dial, owner_callback, company, connection, topic, campaign,
                    do_not_call, \(now), \(now) FROM input
                ON CONFLICT (phone) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone,
                    owner_name = excluded.owner_name, owner_dial = excluded.owner_dial, owner_callback = excluded.owner_callback,
                    company = excluded.company, connection = excluded.connection, topic = excluded.topic,
                    campaign = excluded.campaign, updated_at = excluded.updated_at
                RETURNING id, phone, (xmax = 0) AS inserted
            )
            INSERT INTO follow_up (contact_id, phase, step, next_call_start, state, updated_at)
            SELECT upserted.id, input.phase, input.step, to_timestamp(input.next_call_start), input.state, \(now)
            FROM upserted JOIN input ON input.phone = upserted.phone WHERE upserted.inserted
            RETURNING contact_id
            """, logger: logger)
        return rows.count
    }

    static func saveState(_ state: FollowUpState, contactID: Int64, now: Date, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO follow_up (contact_id, phase, step, next_call_start, state, updated_at)
            VALUES (\(contactID), \(state.phase.name), \(state.step.rawValue), \(state.nextCall?.start), \(try StoredJSON.encode(state)), \(now))
            ON CONFLICT (contact_id) DO UPDATE SET phase = excluded.phase, step = excluded.step,
                next_call_start = excluded.next_call_start, state = excluded.state, updated_at = excluded.updated_at
            """, logger: logger)
    }

    static func contact(_ row: PostgresRandomAccessRow) throws -> Contact {
        Contact(id: try row["id"].decode(Int64.self), name: try row["name"].decode(String.self), phone: try row["phone"].decode(String.self),
                timeZone: try row["time_zone"].decode(String.self),
                owner: Owner(name: try row["owner_name"].decode(String.self), dialString: try row["owner_dial"].decode(String.self),
                             callbackNumber: try row["owner_callback"].decode(String.self)),
                company: try row["company"].decode(String.self), connection: try row["connection"].decode(String.self),
                topic: try row["topic"].decode(String.self), campaign: try row["campaign"].decode(String?.self),
                doNotCall: try row["do_not_call"].decode(Bool.self))
    }

    public func contact(id: Int64) async throws -> Contact? {
        try await rows("SELECT * FROM contact WHERE id = \(id)").first.map(Self.contact)
    }

    public func contact(phone: String) async throws -> Contact? {
        try await rows("SELECT * FROM contact WHERE phone = \(phone)").first.map(Self.contact)
    }

    public func followUp(contactID: Int64) async throws -> FollowUpState? {
        try await rows("SELECT state FROM follow_up WHERE contact_id = \(contactID)").first
            .map { try StoredJSON.decode(FollowUpState.self, try $0["state"].decode(String.self)) }
    }

    public func setDoNotCall(contactID: Int64, now: Date) async throws {
        try await transaction { connection in
            let updated = try await connection.rows("UPDATE contact SET do_not_call = true, updated_at = \(now) WHERE id = \(contactID) RETURNING id",
                                                    logger: logger)
            guard !updated.isEmpty else { throw StoreError("no contact with id \(contactID)") }
            guard let row = try await connection.rows("SELECT state FROM follow_up WHERE contact_id = \(contactID) FOR UPDATE",
                                                      logger: logger).first else { return }
            var state = try StoredJSON.decode(FollowUpState.self, try row["state"].decode(String.self))
            if state.phase == .active {
                state.phase = .stopped(reason: "on the do-not-call list")
                state.nextCall = nil
            }
            try await Self.saveState(state, contactID: contactID, now: now, connection, logger: logger)
        }
    }

    public func dueFollowUps(now: Date, limit: Int) async throws -> [(contact: Contact, state: FollowUpState)] {
        try await rows("""
            SELECT contact.*, follow_up.state AS follow_up_state FROM follow_up JOIN contact ON contact.id = follow_up.contact_id
            WHERE follow_up.phase = 'active' AND follow_up.next_call_start <= \(now) AND NOT contact.do_not_call
                AND NOT EXISTS (SELECT 1 FROM call WHERE call.contact_id = contact.id AND call.ended_at IS NULL)
            ORDER BY follow_up.next_call_start, follow_up.contact_id LIMIT \(limit)
            """).map(Self.dueFollowUp)
    }

    static func dueFollowUp(_ row: PostgresRandomAccessRow) throws -> (contact: Contact, state: FollowUpState) {
        (try contact(row), try StoredJSON.decode(FollowUpState.self, try row["follow_up_state"].decode(String.self)))
    }

    public func earliestNextCall() async throws -> Date? {
        try await rows("""
            SELECT MIN(next_call_start) AS earliest FROM follow_up JOIN contact ON contact.id = follow_up.contact_id
            WHERE follow_up.phase = 'active' AND NOT contact.do_not_call
            """).first.flatMap { try $0["earliest"].decode(Date?.self) }
    }

    public func beginCall(_ call: CallStart) async throws {
        try await client.withConnection { connection in try await Self.insertCall(call, connection, logger: logger) }
    }

    static func insertCall(_ call: CallStart, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO call (call_id, contact_id, step, dial_number, started_at, origin, trunk, planned_message, asterisk_unique_id,
                asterisk_linked_id, audiosocket_id)
            VALUES (\(call.callID), \(call.contactID), \(call.step.rawValue), \(call.dialNumber), \(call.startedAt), \(call.origin.rawValue),
                \(call.trunk), \(try call.plannedMessage.map(StoredJSON.encode)), \(call.asteriskUniqueID), \(call.asteriskLinkedID),
                \(call.audioSocketID?.uuidString.lowercased()))
            """, logger: logger)
    }

    public func finishCall(_ call: CallFinish) async throws {
        try await transaction { connection in try await Self.updateCall(call, connection, logger: logger) }
    }

    static func updateCall(_ call: CallFinish, _ connection: PostgresConnection, logger: Logger) async throws {
        guard let row = try await connection.rows("SELECT contact_id, ended_at, outcome FROM call WHERE call_id = \(call.callID) FOR UPDATE",
                                                  logger: logger).first else {
            throw StoreError("no call with id \(call.callID)")
        }
        guard try row["ended_at"].decode(Date?.self) == nil else {
            throw CallAlreadyFinished(callID: call.callID,
                                      outcome: try row["outcome"].decode(String?.self).map { DialOutcome(logValue: $0, playedShare: nil) })
        }
        let state = call.decision.state
        try await connection.query("""
            UPDATE call SET ended_at = \(call.endedAt), asterisk_unique_id = COALESCE(asterisk_unique_id, \(call.asteriskUniqueID)),
                asterisk_linked_id = COALESCE(asterisk_linked_id, \(call.asteriskLinkedID)),
                variables = \(try StoredJSON.encode(call.variables)), outcome = \(call.outcome.logValue),
                message_left = \(call.decision.messageLeft?.rawValue), played_share = \(call.playedShare), voice = \(call.voice),
                next_call_start = \(state.nextCall?.start), next_call_end = \(state.nextCall?.end), promise = \(call.storedPromise),
                note = \(call.decision.note) WHERE call_id = \(call.callID)
            """, logger: logger)
        try await saveState(state, contactID: try row["contact_id"].decode(Int64.self), now: call.endedAt, connection, logger: logger)
    }

    public func recordCall(_ start: CallStart, _ finish: CallFinish) async throws {
        try await transaction { connection in
            try await Self.insertCall(start, connection, logger: logger)
            try await Self.updateCall(finish, connection, logger: logger)
        }
    }

    static let callColumns = "SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id"

    public func openCalls() async throws -> [CallRecord] {
        try await rows("\(unescaped: Self.callColumns) WHERE call.ended_at IS NULL ORDER BY call.started_at, call.id").map(Self.callRecord)
    }

    public func calls(startedSince date: Date) async throws -> [CallRecord] {
        try await rows("\(unescaped: Self.callColumns) WHERE call.started_at >= \(date) ORDER BY call.started_at, call.id").map(Self.callRecord)
    }

    public func call(callID: String) async throws -> CallRecord? {
        try await rows("\(unescaped: Self.callColumns) WHERE call.call_id = \(callID)").first.map(Self.callRecord)
    }

    static func callRecord(_ row: PostgresRandomAccessRow) throws -> CallRecord {
        let callID = try row["call_id"].decode(String.self)
        let playedShare = try row["played_share"].decode(Double?.self)
        return CallRecord(callID: callID, contactID: try row["contact_id"].decode(Int64.self),
                          contactName: try row["contact_name"].decode(String.self),
                          step: try MessageStep(stored: try row["step"].decode(Int.self), of: "call \(callID)"),
                          dialNumber: try row["dial_number"].decode(Int.self), startedAt: try row["started_at"].decode(Date.self),
                          endedAt: try row["ended_at"].decode(Date?.self), asteriskUniqueID: try row["asterisk_unique_id"].decode(String?.self),
                          asteriskLinkedID: try row["asterisk_linked_id"].decode(String?.self), variables: try row["variables"].decode(String?.self),
                          outcome: try row["outcome"].decode(String?.self).map { DialOutcome(logValue: $0, playedShare: playedShare) },
                          messageLeft: try row["message_left"].decode(Int?.self).map { try MessageStep(stored: $0, of: "call \(callID)") },
                          playedShare: playedShare, voice: try row["voice"].decode(String?.self),
                          nextCallStart: try row["next_call_start"].decode(Date?.self), nextCallEnd: try row["next_call_end"].decode(Date?.self),
                          promise: try row["promise"].decode(String?.self), note: try row["note"].decode(String?.self),
                          origin: try CallOrigin(stored: try row["origin"].decode(String.self), of: "call \(callID)"),
                          trunk: try row["trunk"].decode(String?.self),
                          plannedMessage: try row["planned_message"].decode(String?.self).flatMap { try? StoredJSON.decode(PlannedMessage.self, $0) },
                          audioSocketID: try row["audiosocket_id"].decode(String?.self).flatMap(UUID.init(uuidString:)),
                          greeting: try row["greeting"].decode(String?.self).flatMap { try? StoredJSON.decode(GreetingResult.self, $0) })
    }

    public func recordMessage(_ message: MessageRecord) async throws {
        _ = try await rows("""
            INSERT INTO message (contact_id, step, text, promise, audio_path, voice, rendered_at)
            VALUES (\(message.contactID), \(message.step.rawValue), \(message.text), \(message.promise), \(message.audioPath), \(message.voice),
                \(message.renderedAt))
            """)
    }

    public func messages(contactID: Int64) async throws -> [MessageRecord] {
        try await rows("SELECT * FROM message WHERE contact_id = \(contactID) ORDER BY rendered_at, id").map { row in
            MessageRecord(contactID: try row["contact_id"].decode(Int64.self),
                          step: try MessageStep(stored: try row["step"].decode(Int.self), of: "a message of contact \(contactID)"),
                          text: try row["text"].decode(String.self), promise: try row["promise"].decode(String?.self),
                          audioPath: try row["audio_path"].decode(String?.self), voice: try row["voice"].decode(String?.self),
                          renderedAt: try row["rendered_at"].decode(Date.self))
        }
    }
}

/// Pages of contacts and of the call log, by keyset (never `OFFSET`), so each page costs the same.
extension PostgresStore {
    public func contacts(after id: Int64, limit: Int) async throws -> [Contact] {
        try await rows("SELECT * FROM contact WHERE id > \(id) ORDER BY id LIMIT \(limit)").map(Self.contact)
    }

    public func contactStandings(after id: Int64, limit: Int) async throws -> [ContactStanding] {
        // The second bound on follow_up lets a merge join start both index scans at the page,
        // rather than read follow_up from its first row for every page.
        try await rows("""
            SELECT contact.*, follow_up.phase AS follow_up_phase, follow_up.step AS follow_up_step,
                follow_up.next_call_start AS follow_up_next_call_start
            FROM contact LEFT JOIN follow_up ON follow_up.contact_id = contact.id AND follow_up.contact_id > \(id)
            WHERE contact.id > \(id) ORDER BY contact.id LIMIT \(limit)
            """).map { row in
            let contact = try Self.contact(row)
            return ContactStanding(contact: contact, phase: try row["follow_up_phase"].decode(String?.self),
                                   step: try row["follow_up_step"].decode(Int?.self).map { try MessageStep(stored: $0, of: "contact \(contact.id ?? 0)") },
                                   nextCallStart: try row["follow_up_next_call_start"].decode(Date?.self))
        }
    }

    public func calls(contactID: Int64?, after cursor: CallCursor, limit: Int) async throws -> CallPage {
        // Two statements rather than `IS NULL OR`, so each keeps its index: call_log for the
        // whole log, call_contact for one contact's calls.
        let query: PostgresQuery = if let contactID {
            """
            \(unescaped: Self.callColumns) WHERE call.contact_id = \(contactID) AND (call.started_at, call.id) > (\(cursor.startedAt), \(cursor.row))
            ORDER BY call.started_at, call.id LIMIT \(limit)
            """
        } else {
            """
            \(unescaped: Self.callColumns) WHERE (call.started_at, call.id) > (\(cursor.startedAt), \(cursor.row))
            ORDER BY call.started_at, call.id LIMIT \(limit)
            """
        }
        let rows = try await rows(query)
        let next = rows.count == limit ? try rows.last.map { CallCursor(startedAt: try $0["started_at"].decode(Date.self), row: try $0["id"].decode(Int64.self)) } : nil
        return CallPage(calls: try rows.map(Self.callRecord), next: next)
    }
}
