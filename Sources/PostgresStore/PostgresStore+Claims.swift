import Cadence
import Foundation
import PostgresNIO
import Store

/// Claims across nodes. One transaction holds the pacing lock (`pg_advisory_xact_lock`), counts
/// every node's calls in flight, locks due follow-ups with `FOR UPDATE SKIP LOCKED` and records
/// the claims; the lock makes the count and the claims one step, so the limits hold across
/// nodes, and a follow-up another transaction holds is skipped rather than waited for.
extension PostgresStore {
    public func claimDueFollowUps(_ request: ClaimRequest) async throws -> [FollowUpClaim] {
        let now = request.now
        let since = now.addingTimeInterval(-60)
        return try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.pacingLock))", logger: logger)
            // Dropped, not only left uncounted: the node that held one then finds it gone and
            // cannot start the call late, after this step counted its slot as free.
            try await connection.query("DELETE FROM follow_up_claim WHERE lease_until <= \(now)", logger: logger)
            var load = ClaimLoad()
            for row in try await connection.rows("""
                SELECT COALESCE(trunk, '') AS trunk, COUNT(*) FILTER (WHERE ended_at IS NULL) AS in_flight,
                    COUNT(*) FILTER (WHERE started_at >= \(since)) AS recent
                FROM call WHERE origin = 'dialer' AND (ended_at IS NULL OR started_at >= \(since)) GROUP BY 1
                UNION ALL
                SELECT trunk, COUNT(*), COUNT(*) FILTER (WHERE claimed_at >= \(since)) FROM follow_up_claim WHERE lease_until > \(now) GROUP BY 1
                """, logger: logger) {
                load.add(trunk: try row["trunk"].decode(String.self), inFlight: try row["in_flight"].decode(Int.self),
                         startedLastMinute: try row["recent"].decode(Int.self))
            }
            let candidates = try await connection.rows("""
                SELECT contact.*, follow_up.state AS follow_up_state FROM follow_up JOIN contact ON contact.id = follow_up.contact_id
                WHERE follow_up.phase = 'active' AND follow_up.next_call_start <= \(now) AND NOT contact.do_not_call
                    AND NOT EXISTS (SELECT 1 FROM call WHERE call.contact_id = follow_up.contact_id AND call.ended_at IS NULL)
                    AND NOT EXISTS (SELECT 1 FROM follow_up_claim AS claim
                                    WHERE claim.contact_id = follow_up.contact_id AND claim.lease_until > \(now))
                ORDER BY follow_up.next_call_start, follow_up.contact_id LIMIT \(request.candidates)
                FOR UPDATE OF follow_up SKIP LOCKED
                """, logger: logger).map(Self.dueFollowUp)
            let claims = load.assign(candidates, request)
            guard !claims.isEmpty else { return claims }
            try await connection.query("""
                INSERT INTO follow_up_claim (contact_id, node, trunk, claimed_at, lease_until)
                SELECT contact_id, \(request.node), trunk, \(now), \(now.addingTimeInterval(request.leaseSeconds))
                FROM UNNEST(\(claims.map { $0.contact.id! }), \(claims.map(\.trunk))) AS claimed(contact_id, trunk)
                ON CONFLICT (contact_id) DO UPDATE SET node = excluded.node, trunk = excluded.trunk,
                    claimed_at = excluded.claimed_at, lease_until = excluded.lease_until
                """, logger: logger)
            return claims
        }
    }

    public func beginClaimedCall(_ call: CallStart, claim: FollowUpClaim) async throws {
        try await transaction { connection in
            let held = try await connection.rows("""
                DELETE FROM follow_up_claim WHERE contact_id = \(call.contactID) AND node = \(claim.node) AND lease_until > \(call.startedAt)
                RETURNING contact_id
                """, logger: logger)
            guard !held.isEmpty else { throw ClaimLost(contactID: call.contactID, node: claim.node) }
            try await Self.insertCall(call, connection, logger: logger)
        }
    }

    public func releaseClaim(_ claim: FollowUpClaim) async throws {
        _ = try await rows("DELETE FROM follow_up_claim WHERE contact_id = \(claim.contact.id) AND node = \(claim.node)")
    }
}
