import Foundation
import GRDB

extension SQLiteStore {
    public func call(audioSocketID: UUID) async throws -> CallRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: """
                SELECT call.*, contact.name AS contact_name FROM call JOIN contact ON contact.id = call.contact_id
                WHERE call.audiosocket_id = ?
                """, arguments: [audioSocketID.uuidString.lowercased()]).map(Self.callRecord)
        }
    }

    public func recordGreeting(callID: String, _ result: GreetingResult) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE call SET greeting = ? WHERE call_id = ?", arguments: [try Self.encode(result), callID])
            guard db.changesCount == 1 else { throw StoreError("no call with id \(callID)") }
        }
    }
}
