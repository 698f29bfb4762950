import AGI

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
