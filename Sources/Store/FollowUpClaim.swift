import Cadence
import Foundation

/// A dialer's request to take due follow-ups for itself, within the pacing limits.
///
/// The store answers it in one atomic step: it counts what is in flight (open dialer calls and
/// live claims, by trunk), asks ``trunks`` how many calls may start and on which trunks, locks
/// due follow-ups no other node holds, and records a claim for each it hands out. Two nodes
/// asking at once never get the same follow-up, and together never exceed the limits.
public struct ClaimRequest: Sendable {
    /// The node asking, recorded with each claim (e.g. `pbx1-a:4242`).
    public var node: String
    /// The time of the request; leases and the last minute's count are measured from it.
    public var now: Date
    /// How long a claim holds before another node may take the follow-up over.
    public var leaseSeconds: TimeInterval
    /// How many due follow-ups to look at, at most (some may fall outside calling hours).
    public var candidates: Int
    /// The trunks for the next calls, one entry per call that may start now, given the calls
    /// in flight and the calls started in the last 60 seconds, both by trunk name (every node's).
    public var trunks: @Sendable (_ inFlight: [String: Int], _ startedLastMinute: [String: Int]) -> [String]
    /// Whether a follow-up the schedule says is due may be called now (calling hours).
    public var isDue: @Sendable (Contact, FollowUpState) -> Bool

    /// Creates a request.
    public init(node: String, now: Date, leaseSeconds: TimeInterval, candidates: Int,
                trunks: @escaping @Sendable (_ inFlight: [String: Int], _ startedLastMinute: [String: Int]) -> [String],
                isDue: @escaping @Sendable (Contact, FollowUpState) -> Bool = { _, _ in true }) {
        self.node = node
        self.now = now
        self.leaseSeconds = leaseSeconds
        self.candidates = candidates
        self.trunks = trunks
        self.isDue = isDue
    }
}

/// A due follow-up one node holds until its lease ends: the node may dial it on ``trunk``.
public struct FollowUpClaim: Sendable, Hashable {
    /// The contact to call.
    public var contact: Contact
    /// Its follow-up state when claimed.
    public var state: FollowUpState
    /// The trunk the claim counts against.
    public var trunk: String
    /// The node holding the claim.
    public var node: String
    /// When another node may take the follow-up over.
    public var leaseUntil: Date

    /// Creates a claim.
    public init(contact: Contact, state: FollowUpState, trunk: String, node: String, leaseUntil: Date) {
        self.contact = contact
        self.state = state
        self.trunk = trunk
        self.node = node
        self.leaseUntil = leaseUntil
    }
}

/// What the claim step found in flight, and what it may hand out.
public struct ClaimLoad: Sendable, Hashable {
    /// Open dialer calls and live claims, by trunk.
    public var inFlight: [String: Int] = [:]
    /// Dialer calls started and claims taken in the last 60 seconds, by trunk.
    public var startedLastMinute: [String: Int] = [:]

    /// Creates an empty load.
    public init() {}

    /// Adds one row of the count.
    public mutating func add(trunk: String, inFlight: Int, startedLastMinute: Int) {
        self.inFlight[trunk, default: 0] += inFlight
        self.startedLastMinute[trunk, default: 0] += startedLastMinute
    }

    /// The claims to hand out: due candidates in order, each on the next trunk ``ClaimRequest/trunks``
    /// allows, skipping those ``ClaimRequest/isDue`` refuses.
    public func assign(_ candidates: [(contact: Contact, state: FollowUpState)], _ request: ClaimRequest) -> [FollowUpClaim] {
        var trunks = request.trunks(inFlight, startedLastMinute)[...]
        var claims: [FollowUpClaim] = []
        for candidate in candidates where request.isDue(candidate.contact, candidate.state) {
            guard let trunk = trunks.popFirst() else { break }
            claims.append(FollowUpClaim(contact: candidate.contact, state: candidate.state, trunk: trunk, node: request.node,
                                        leaseUntil: request.now.addingTimeInterval(request.leaseSeconds)))
        }
        return claims
    }
}

/// A claim another node took over (its lease ran out), or that was released: the call must not
/// be placed.
public struct ClaimLost: Error, Sendable, CustomStringConvertible {
    /// The contact the claim was for.
    public var contactID: Int64
    /// The node that held it.
    public var node: String

    /// Creates the error.
    public init(contactID: Int64, node: String) {
        self.contactID = contactID
        self.node = node
    }

    public var description: String { "the claim on contact \(contactID) is no longer held by \(node)" }
}

/// How both stores keep structured values (follow-up states, Asterisk's variables, planned
/// messages) in a text column: JSON with sorted keys, so equal values are equal text.
public enum StoredJSON {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// The value as JSON text.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A value from JSON text.
    public static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

extension CallFinish {
    /// The promise the `promise` column keeps: only when a message was left.
    public var storedPromise: String? { decision.messageLeft != nil ? decision.state.promise?.phrase : nil }
}
