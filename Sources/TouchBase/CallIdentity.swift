import AGI
import Foundation

/// TouchBase's call ids: `tb-` with the time and randomness, safe in a file name, a channel
/// variable and a CDR field.
public enum CallID {
    /// A new call id.
    public static func make(now: Date) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        return "tb-\(String(millis, radix: 36))-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }
}

extension CallRoutes {
    /// What joins a call to Asterisk's CDRs, and one leg of a call to the other: the channel's
    /// uniqueid (from the AGI environment) and the call's linkedid (`CHANNEL(linkedid)`).
    struct ChannelIDs: Sendable, Hashable {
        var uniqueID: String?
        var linkedID: String?
    }

    /// Reads the channel's ids; one unset or empty is `nil`.
    func channelIDs(_ session: AGISession) async throws -> ChannelIDs {
        let linked = try await session.getVariable("CHANNEL(linkedid)")
        return ChannelIDs(uniqueID: session.environment.uniqueID.flatMap { $0.isEmpty ? nil : $0 },
                          linkedID: linked.flatMap { $0.isEmpty ? nil : $0 })
    }
}
