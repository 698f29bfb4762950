import Cadence
import Foundation
import PostgresNIO
import Store

/// A hand-dialled call's two legs joined into one record by Asterisk's linkedid, as
/// ``SQLiteStore`` does; the row is locked so two legs reporting at once on two nodes join.
extension PostgresStore {
    public func joinCall(_ start: CallStart, leg: CallLeg) async throws -> CallRecord {
        try await transaction { connection in
            if let linkedID = start.asteriskLinkedID {
                // Serializes the legs of one call, whichever nodes their reports reached.
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(linkedID)))", logger: logger)
                if let row = try await connection.rows("""
                    SELECT call_id FROM call WHERE asterisk_linked_id = \(linkedID) AND origin IN ('hook', 'drop')
                    ORDER BY id DESC LIMIT 1 FOR UPDATE
                    """, logger: logger).first {
                    let callID = try row["call_id"].decode(String.self)
                    if leg == .caller, let uniqueID = start.asteriskUniqueID {
                        try await connection.query("UPDATE call SET asterisk_unique_id = \(uniqueID) WHERE call_id = \(callID)", logger: logger)
                    }
                    return try await Self.callRecord(callID: callID, connection, logger: logger)
                }
            }
            try await Self.insertCall(start, connection, logger: logger)
            return try await Self.callRecord(callID: start.callID, connection, logger: logger)
        }
    }

    public func call(linkedID: String) async throws -> CallRecord? {
        try await rows("""
            SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id
            WHERE call.asterisk_linked_id = \(linkedID) ORDER BY call.id DESC LIMIT 1
            """).first.map(Self.callRecord)
    }

    private static func callRecord(callID: String, _ connection: PostgresConnection, logger: Logger) async throws -> CallRecord {
        guard let row = try await connection.rows("""
            SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id WHERE call.call_id = \(callID)
            """, logger: logger).first else { throw StoreError("no call with id \(callID)") }
        return try callRecord(row)
    }
}
