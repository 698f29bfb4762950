import Cadence
import Foundation
import GRDB

/// The default ``Store``: one SQLite file through GRDB, in WAL mode, with migrations.
public final class SQLiteStore: Store {
    let writer: any DatabaseWriter

    /// Opens (creating if needed) a database file and brings its schema up to date.
    ///
    /// - Throws: ``StoreError`` naming the file when it cannot be opened or migrated.
    public init(path: String) throws {
        do {
            var configuration = Configuration()
            // Another process's write waits rather than fails: `contacts import` holds the write
            // lock for its one transaction (about 10 s per 300,000 rows) while serve records calls.
            configuration.busyMode = .timeout(30)
            writer = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError("database \(path) cannot be opened: \(error)")
        }
    }

    /// An in-memory database, for simulations and tests.
    public init() throws {
        writer = try DatabaseQueue()
        try Self.migrator.migrate(writer)
    }

    static func encode<T: Encodable>(_ value: T) throws -> String { try StoredJSON.encode(value) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try StoredJSON.decode(type, text) }

    static func contact(_ row: Row) -> Contact {
        Contact(id: row["id"], name: row["name"], phone: row["phone"], timeZone: row["time_zone"],
                owner: Owner(name: row["owner_name"], dialString: row["owner_dial"], callbackNumber: row["owner_callback"]),
                company: row["company"], connection: row["connection"], topic: row["topic"], campaign: row["campaign"],
                doNotCall: row["do_not_call"])
    }

    static func saveState(_ state: FollowUpState, contactID: Int64, now: Date, db: Database, json: String? = nil) throws {
        try db.cachedStatement(sql: """
            INSERT INTO follow_up (contact_id, phase, step, next_call_start, state, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(contact_id) DO UPDATE SET phase = excluded.phase, step = excluded.step,
                next_call_start = excluded.next_call_start, state = excluded.state, updated_at = excluded.updated_at
            """).execute(arguments: [contactID, state.phase.name, state.step.rawValue, state.nextCall?.start.timeIntervalSince1970,
                             try json ?? encode(state), now.timeIntervalSince1970])
    }

    public func importContacts(_ batches: some ContactBatches, now: Date, policy: CallingPolicy) async throws -> ImportSummary {
        try await writer.write { db in
            var summary = ImportSummary(inserted: 0, updated: 0)
            var starts = FollowUpStarts(now: now, policy: policy)
            while let batch = try batches.next() {
                for contact in batch {
                    if try Self.upsert(contact, now: now, starts: &starts, db: db) { summary.inserted += 1 } else { summary.updated += 1 }
                }
            }
            return summary
        }
    }

    /// Adds a contact with its follow-up, or updates the one with its phone; true when added.
    /// The statements are cached: an import runs them once per row.
    private static func upsert(_ contact: Contact, now: Date, starts: inout FollowUpStarts, db: Database) throws -> Bool {
        let t = now.timeIntervalSince1970
        if let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM contact WHERE phone = ?"), arguments: [contact.phone]) {
            try db.cachedStatement(sql: """
                UPDATE contact SET name = ?, time_zone = ?, owner_name = ?, owner_dial = ?, owner_callback = ?,
                    company = ?, connection = ?, topic = ?, campaign = ?, updated_at = ? WHERE id = ?
                """).execute(arguments: [contact.name, contact.timeZone, contact.owner.name, contact.owner.dialString,
                                         contact.owner.callbackNumber, contact.company, contact.connection, contact.topic,
                                         contact.campaign, t, id])
            return false
        }
        try db.cachedStatement(sql: """
            INSERT INTO contact (name, phone, time_zone, owner_name, owner_dial, owner_callback, company, connection,
                topic, campaign, do_not_call, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [contact.name, contact.phone, contact.timeZone, contact.owner.name, contact.owner.dialString,
                                     contact.owner.callbackNumber, contact.company, contact.connection, contact.topic,
                                     contact.campaign, contact.doNotCall, t, t])
        let start = try starts.start(for: contact)
        try saveState(start.state, contactID: db.lastInsertedRowID, now: now, db: db, json: start.json)
        return true
    }

    public func contact(id: Int64) async throws -> Contact? {
        try await writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM contact WHERE id = ?", arguments: [id]).map(Self.contact) }
    }

    public func contact(phone: String) async throws -> Contact? {
        try await writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM contact WHERE phone = ?", arguments: [phone]).map(Self.contact) }
    }

    public func followUp(contactID: Int64) async throws -> FollowUpState? {
        try await writer.read { db in
            try String.fetchOne(db, sql: "SELECT state FROM follow_up WHERE contact_id = ?", arguments: [contactID])
                .map { try Self.decode(FollowUpState.self, $0) }
        }
    }

    public func setDoNotCall(contactID: Int64, now: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE contact SET do_not_call = 1, updated_at = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, contactID])
            guard db.changesCount == 1 else { throw StoreError("no contact with id \(contactID)") }
            if let text = try String.fetchOne(db, sql: "SELECT state FROM follow_up WHERE contact_id = ?", arguments: [contactID]) {
                var state = try Self.decode(FollowUpState.self, text)
                if state.phase == .active {
                    state.phase = .stopped(reason: "on the do-not-call list")
                    state.nextCall = nil
                }
                try Self.saveState(state, contactID: contactID, now: now, db: db)
            }
        }
    }

    public func dueFollowUps(now: Date, limit: Int) async throws -> [(contact: Contact, state: FollowUpState)] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT contact.*, follow_up.state AS follow_up_state FROM follow_up JOIN contact ON contact.id = follow_up.contact_id
                WHERE follow_up.phase = 'active' AND follow_up.next_call_start <= ? AND contact.do_not_call = 0
                    AND NOT EXISTS (SELECT 1 FROM call WHERE call.contact_id = contact.id AND call.ended_at IS NULL)
                ORDER BY follow_up.next_call_start, follow_up.contact_id LIMIT ?
                """, arguments: [now.timeIntervalSince1970, limit]).map { row in
                (Self.contact(row), try Self.decode(FollowUpState.self, row["follow_up_state"]))
            }
        }
    }

    public func earliestNextCall() async throws -> Date? {
        try await writer.read { db in
            try Double.fetchOne(db, sql: """
                SELECT MIN(next_call_start) FROM follow_up JOIN contact ON contact.id = follow_up.contact_id
                WHERE follow_up.phase = 'active' AND contact.do_not_call = 0
                """).map(Date.init(timeIntervalSince1970:))
        }
    }

    public func beginCall(_ call: CallStart) async throws {
        try await writer.write { db in try Self.insertCall(call, db: db) }
    }

    static func insertCall(_ call: CallStart, db: Database) throws {
        try db.execute(sql: """
            INSERT INTO call (call_id, contact_id, step, dial_number, started_at, origin, trunk, planned_message,
                asterisk_unique_id, asterisk_linked_id, audiosocket_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [call.callID, call.contactID, call.step.rawValue, call.dialNumber, call.startedAt.timeIntervalSince1970,
                             call.origin.rawValue, call.trunk, try call.plannedMessage.map(encode), call.asteriskUniqueID,
                             call.asteriskLinkedID, call.audioSocketID?.uuidString.lowercased()])
    }

    public func finishCall(_ call: CallFinish) async throws {
        try await writer.write { db in try Self.updateCall(call, db: db) }
    }

    static func updateCall(_ call: CallFinish, db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT contact_id, ended_at, outcome FROM call WHERE call_id = ?", arguments: [call.callID]) else {
            throw StoreError("no call with id \(call.callID)")
        }
        guard (row["ended_at"] as Double?) == nil else {
            throw CallAlreadyFinished(callID: call.callID, outcome: (row["outcome"] as String?).map {
                DialOutcome(logValue: $0, playedShare: nil)
            })
        }
        let contactID: Int64 = row["contact_id"]
        let state = call.decision.state
        try db.execute(sql: """
            UPDATE call SET ended_at = ?, asterisk_unique_id = COALESCE(asterisk_unique_id, ?),
                asterisk_linked_id = COALESCE(asterisk_linked_id, ?), variables = ?, outcome = ?, message_left = ?,
                played_share = ?, voice = ?, next_call_start = ?, next_call_end = ?, promise = ?, note = ? WHERE call_id = ?
            """, arguments: [call.endedAt.timeIntervalSince1970, call.asteriskUniqueID, call.asteriskLinkedID, try encode(call.variables),
                             call.outcome.logValue, call.decision.messageLeft?.rawValue,
                             call.playedShare, call.voice, state.nextCall?.start.timeIntervalSince1970,
                             state.nextCall?.end.timeIntervalSince1970,
                             call.storedPromise, call.decision.note, call.callID])
        try saveState(state, contactID: contactID, now: call.endedAt, db: db)
    }

    /// Records many calls' starts and finishes in one transaction (simulations).
    public func recordCalls(_ calls: [(CallStart, CallFinish)]) async throws {
        try await writer.write { db in
            for (start, finish) in calls {
                try Self.insertCall(start, db: db)
                try Self.updateCall(finish, db: db)
            }
        }
    }

    /// Records many calls as placed in one transaction (benchmark seeding).
    public func beginCalls(_ calls: [CallStart]) async throws {
        try await writer.write { db in
            for call in calls { try Self.insertCall(call, db: db) }
        }
    }

    public func recordCall(_ start: CallStart, _ finish: CallFinish) async throws {
        try await recordCalls([(start, finish)])
    }

    public func openCalls() async throws -> [CallRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id
                WHERE call.ended_at IS NULL ORDER BY call.started_at, call.id
                """).map(Self.callRecord)
        }
    }

    public func calls(startedSince date: Date) async throws -> [CallRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id
                WHERE call.started_at >= ? ORDER BY call.started_at, call.id
                """, arguments: [date.timeIntervalSince1970]).map(Self.callRecord)
        }
    }

    public func call(callID: String) async throws -> CallRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id WHERE call_id = ?",
                             arguments: [callID]).map(Self.callRecord)
        }
    }

    /// A call row read back typed; a value no release wrote (a step out of range, an origin
    /// unknown) is a ``StoreError`` naming the call, not a silent default.
    static func callRecord(_ row: Row) throws -> CallRecord {
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        let callID: String = row["call_id"]
        let playedShare: Double? = row["played_share"]
        return CallRecord(callID: callID, contactID: row["contact_id"], contactName: row["contact_name"],
                          step: try MessageStep(stored: row["step"], of: "call \(callID)"), dialNumber: row["dial_number"], startedAt: date("started_at")!,
                          endedAt: date("ended_at"), asteriskUniqueID: row["asterisk_unique_id"],
                          asteriskLinkedID: row["asterisk_linked_id"], variables: row["variables"],
                          outcome: (row["outcome"] as String?).map { DialOutcome(logValue: $0, playedShare: playedShare) },
                          messageLeft: try (row["message_left"] as Int?).map { try MessageStep(stored: $0, of: "call \(callID)") },
                          playedShare: playedShare, voice: row["voice"], nextCallStart: date("next_call_start"),
                          nextCallEnd: date("next_call_end"), promise: row["promise"], note: row["note"],
                          origin: try CallOrigin(stored: row["origin"], of: "call \(callID)"), trunk: row["trunk"],
                          plannedMessage: (row["planned_message"] as String?).flatMap { try? decode(PlannedMessage.self, $0) },
                          audioSocketID: (row["audiosocket_id"] as String?).flatMap(UUID.init(uuidString:)),
                          greeting: (row["greeting"] as String?).flatMap { try? decode(GreetingResult.self, $0) })
    }

    public func recordMessage(_ message: MessageRecord) async throws {
        try await writer.write { db in
            try db.execute(sql: "INSERT INTO message (contact_id, step, text, promise, audio_path, voice, rendered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [message.contactID, message.step.rawValue, message.text, message.promise, message.audioPath, message.voice,
                                       message.renderedAt.timeIntervalSince1970])
        }
    }

    public func messages(contactID: Int64) async throws -> [MessageRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM message WHERE contact_id = ? ORDER BY rendered_at, id", arguments: [contactID])
                .map(Self.messageRecord)
        }
    }

    static func messageRecord(_ row: Row) throws -> MessageRecord {
        MessageRecord(contactID: row["contact_id"], step: try MessageStep(stored: row["step"], of: "a message of contact \(row["contact_id"] as Int64)"),
                      text: row["text"], promise: row["promise"], audioPath: row["audio_path"], voice: row["voice"],
                      renderedAt: Date(timeIntervalSince1970: row["rendered_at"]))
    }
}
