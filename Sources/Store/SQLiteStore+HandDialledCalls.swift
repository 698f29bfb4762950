import Cadence
import Foundation
import GRDB

extension SQLiteStore {
    public func joinCall(_ start: CallStart, leg: CallLeg) async throws -> CallRecord {
        try await writer.write { db in
            if let linkedID = start.asteriskLinkedID, let callID = try Self.handDialledCallID(linkedID: linkedID, db: db) {
                if leg == .caller, let uniqueID = start.asteriskUniqueID {
                    try db.execute(sql: "UPDATE call SET asterisk_unique_id = ? WHERE call_id = ?", arguments: [uniqueID, callID])
                }
                return try Self.callRecord(callID: callID, db: db)
            }
            try Self.insertCall(start, db: db)
            return try Self.callRecord(callID: start.callID, db: db)
        }
    }

    public func call(linkedID: String) async throws -> CallRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: """
                SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id
                WHERE call.asterisk_linked_id = ? ORDER BY call.id DESC LIMIT 1
                """, arguments: [linkedID]).map { try Self.callRecord($0) }
        }
    }

    /// The newest hand-dialled call (hook or drop) recorded under a linkedid. A call TouchBase
    /// originated is never joined: its reports find it by TOUCHBASE_CALL.
    private static func handDialledCallID(linkedID: String, db: Database) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT call_id FROM call WHERE asterisk_linked_id = ? AND origin IN (?, ?) ORDER BY id DESC LIMIT 1
            """, arguments: [linkedID, CallOrigin.hook.rawValue, CallOrigin.drop.rawValue])
    }

    private static func callRecord(callID: String, db: Database) throws -> CallRecord {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id WHERE call_id = ?
            """, arguments: [callID]) else { throw StoreError("no call with id \(callID)") }
        return try callRecord(row)
    }
}
