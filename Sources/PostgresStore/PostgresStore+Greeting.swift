import Foundation
import PostgresNIO
import Store

extension PostgresStore {
    public func call(audioSocketID: UUID) async throws -> CallRecord? {
        try await rows("\(unescaped: Self.callColumns) WHERE call.audiosocket_id = \(audioSocketID.uuidString.lowercased())")
            .first.map(Self.callRecord)
    }

    public func recordGreeting(callID: String, _ result: GreetingResult) async throws {
        let updated = try await rows("UPDATE call SET greeting = \(try StoredJSON.encode(result)) WHERE call_id = \(callID) RETURNING call_id")
        guard !updated.isEmpty else { throw StoreError("no call with id \(callID)") }
    }
}
