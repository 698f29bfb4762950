import Cadence
import Foundation
import GRDB

/// Claims in SQLite: one writer at a time makes each step atomic without row locks, so one
/// node (or several processes on one file) use the same API as the shared PostgreSQL store.
extension SQLiteStore {
    public func claimDueFollowUps(_ request: ClaimRequest) async throws -> [FollowUpClaim] {
        let now = request.now.timeIntervalSince1970
        let since = now - 60
        return try await writer.write { db in
            // Dropped, not only left uncounted: the node that held one then finds it gone and
            // cannot start the call late, after this step counted its slot as free.
            try db.execute(sql: "DELETE FROM follow_up_claim WHERE lease_until <= ?", arguments: [now])
            var load = ClaimLoad()
            for row in try Row.fetchAll(db, sql: """
                SELECT COALESCE(trunk, '') AS trunk, SUM(ended_at IS NULL) AS in_flight, SUM(started_at >= ?) AS recent
                FROM call WHERE origin = 'dialer' AND (ended_at IS NULL OR started_at >= ?) GROUP BY 1
                UNION ALL
                SELECT trunk, COUNT(*), SUM(claimed_at >= ?) FROM follow_up_claim WHERE lease_until > ? GROUP BY 1
                """, arguments: [since, since, since, now]) {
                load.add(trunk: row["trunk"], inFlight: row["in_flight"], startedLastMinute: row["recent"])
            }
            let candidates = try Row.fetchAll(db, sql: """
                SELECT contact.*, follow_up.state AS follow_up_state FROM follow_up JOIN contact ON contact.id = follow_up.contact_id
                WHERE follow_up.phase = 'active' AND follow_up.next_call_start <= ? AND contact.do_not_call = 0
                    AND NOT EXISTS (SELECT 1 FROM call WHERE call.contact_id = contact.id AND call.ended_at IS NULL)
                    AND NOT EXISTS (SELECT 1 FROM follow_up_claim AS claim WHERE claim.contact_id = contact.id AND claim.lease_until > ?)
                ORDER BY follow_up.next_call_start, follow_up.contact_id LIMIT ?
                """, arguments: [now, now, request.candidates]).map { row in
                (contact: Self.contact(row), state: try Self.decode(FollowUpState.self, row["follow_up_state"]))
            }
            let claims = load.assign(candidates, request)
            for claim in claims {
                try db.execute(sql: """
                    INSERT INTO follow_up_claim (contact_id, node, trunk, claimed_at, lease_until) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(contact_id) DO UPDATE SET node = excluded.node, trunk = excluded.trunk,
                        claimed_at = excluded.claimed_at, lease_until = excluded.lease_until
                    """, arguments: [claim.contact.id, claim.node, claim.trunk, now, claim.leaseUntil.timeIntervalSince1970])
            }
            return claims
        }
    }

    public func beginClaimedCall(_ call: CallStart, claim: FollowUpClaim) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM follow_up_claim WHERE contact_id = ? AND node = ? AND lease_until > ?",
                           arguments: [call.contactID, claim.node, call.startedAt.timeIntervalSince1970])
            guard db.changesCount == 1 else { throw ClaimLost(contactID: call.contactID, node: claim.node) }
            try Self.insertCall(call, db: db)
        }
    }

    public func releaseClaim(_ claim: FollowUpClaim) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM follow_up_claim WHERE contact_id = ? AND node = ?", arguments: [claim.contact.id, claim.node])
        }
    }
}
