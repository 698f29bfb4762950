import Foundation
import Settings

/// The dialer's settings: how calls are handed to Asterisk, how fast, and when a call that
/// never came back is settled.
public struct DialerSettings: Sendable {
    /// How calls reach Asterisk.
    public enum Method: Sendable {
        /// Call files renamed into the spool's `outgoing/` folder (Asterisk on this host).
        case callFile(outgoing: String, staging: String?)
        /// AMI Originate over TCP (Asterisk anywhere).
        case ami(AMIClient.Configuration)
    }

    /// The environment variable holding the AMI secret, for ``Method/ami(_:)``.
    public var amiSecretEnvironment = "TOUCHBASE_AMI_SECRET"
    /// Whether `touchbase serve` places calls at all.
    public var enabled = true
    /// How calls reach Asterisk.
    public var method = Method.callFile(outgoing: "/var/spool/asterisk/outgoing", staging: nil)
    /// Calls at once, calls a minute, and the trunks with their own limits.
    public var pacing = DialPacing(maxCalls: 2, callsPerMinute: 6, trunks: [Trunk(name: "default", channel: "PJSIP/{number}@trunk")])
    /// Seconds a call rings before it counts as unanswered.
    public var ringSeconds = 45
    /// The caller id number; by default the owner's callback number, so a callback reaches them.
    public var callerIDNumber: String?
    /// The context originated calls enter (its `answered` and `failed` extensions).
    public var context = "touchbase-outbound"
    /// How often the dialer looks for due contacts.
    public var pollSeconds = 15.0
    /// How long a placed call may go without a report from Asterisk before it is settled as
    /// unknown and rescheduled.
    public var reportTimeoutSeconds = 300.0
    /// How long the dialer pauses after Asterisk did not take a call (spool or AMI failure).
    public var pauseAfterFailureSeconds = 60.0
    /// This node's name on its claims (`[dialer] node`); by default the host name and process id.
    public var node = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    /// How long a claim on a due follow-up holds before another node may take it over: long
    /// enough to render the message and hand the call to Asterisk.
    public var claimLeaseSeconds = 120.0
    /// The Asterisk servers trunks live on (`[[dialer.pbx]]`); empty when there is one, the
    /// PBX ``method`` reaches. See ``allPBXs``.
    public var pbxs: [PBX] = []
    /// The PBXs this node places calls on (`places_calls_on`); `nil` for every one.
    public var placesCallsOn: [String]?

    /// The defaults.
    public init() {}
}

extension DialerSettings {
    /// Reads the `[dialer]` section with its `[dialer.ami]` and `[[dialer.trunk]]`; settings it
    /// leaves out keep their defaults.
    ///
    /// - Throws: ``SettingsProblem`` naming the key: an unknown method, AMI without its login,
    ///   a channel template Dial() cannot take, a trunk without a name or named twice, a number
    ///   out of range.
    public init(reading settings: inout SettingsReader) throws {
        self.init()
        if let value = try settings.bool("enabled") { enabled = value }
        let (method, secret) = try Self.readMethod(&settings)
        self.method = method
        if let secret { amiSecretEnvironment = secret }
        if let value = try settings.int("max_calls", in: 1...500) { pacing.maxCalls = value }
        if let value = try settings.int("calls_per_minute", in: 1...10_000) { pacing.callsPerMinute = value }
        if let value = try settings.int("ring_seconds", in: 10...120) { ringSeconds = value }
        if let value = try settings.string("caller_id_number") {
            guard value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "+") }) else {
                throw settings.error("caller_id_number", "may hold only digits and '+'")
            }
            callerIDNumber = value.isEmpty ? nil : value
        }
        if let value = try settings.string("context") {
            guard !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) else {
                throw settings.error("context", "must be a dialplan context name (letters, digits, '-', '_')")
            }
            context = value
        }
        if let value = try settings.double("poll_seconds", atLeast: 0.1) { pollSeconds = value }
        if let value = try settings.double("report_timeout_seconds", atLeast: 60, " (ring time, AMD and the message)") {
            reportTimeoutSeconds = value
        }
        if let value = try settings.string("node") {
            guard !value.isEmpty, value.count <= 100 else { throw settings.error("node", "must be a name of 1 to 100 characters") }
            node = value
        }
        if let value = try settings.double("claim_lease_seconds", atLeast: 2, " (rendering and handing over a call)") {
            claimLeaseSeconds = value
        }
        try readPBXs(&settings)
        pacing.trunks = try readTrunks(&settings)
    }

    /// The PBX a `[[dialer.trunk]]` names; it may leave it out when there is only one.
    private func trunkPBX(_ table: inout SettingsReader) throws -> String {
        let known = allPBXs.map(\.name)
        guard let name = try table.string("pbx") else {
            guard known.count == 1 else { throw table.error("pbx", "is required when [[dialer.pbx]] lists several (\(known.joined(separator: ", ")))") }
            return known[0]
        }
        guard known.contains(name) else { throw table.error("pbx", "names \"\(name)\", which no [[dialer.pbx]] is (known: \(known.joined(separator: ", ")))") }
        return name
    }

    private func readTrunks(_ settings: inout SettingsReader) throws -> [Trunk] {
        if let trunks = try settings.tables("trunk") {
            var parsed: [Trunk] = []
            for var table in trunks {
                guard let name = try table.string("name"), !name.isEmpty else { throw table.error("name", "is required for each [[dialer.trunk]]") }
                guard let channel = try table.string("channel") else { throw table.error("channel", "is required, e.g. \"PJSIP/{number}@trunk\"") }
                if let problem = Trunk.problem(inChannel: channel) { throw table.error("channel", problem) }
                var trunk = Trunk(name: name, channel: channel, maxCalls: pacing.maxCalls, callsPerMinute: pacing.callsPerMinute,
                                  pbx: try trunkPBX(&table))
                if let value = try table.int("max_calls", atLeast: 1) { trunk.maxCalls = value }
                if let value = try table.int("calls_per_minute", atLeast: 1) { trunk.callsPerMinute = value }
                try table.rejectUnknownKeys()
                guard !parsed.contains(where: { $0.name == name }) else { throw table.error("name", "\"\(name)\" is used twice") }
                parsed.append(trunk)
            }
            guard !parsed.isEmpty else { throw settings.error("trunk", "must list at least one trunk") }
            return parsed
        }
        if let channel = try settings.string("channel") {
            if let problem = Trunk.problem(inChannel: channel) { throw settings.error("channel", problem) }
            return [Trunk(name: "default", channel: channel, maxCalls: pacing.maxCalls, callsPerMinute: pacing.callsPerMinute,
                          pbx: allPBXs[0].name)]
        }
        guard allPBXs.count == 1 else { throw settings.error("trunk", "must be listed, each naming its pbx, when [[dialer.pbx]] lists several") }
        return pacing.trunks.map { trunk in
            Trunk(name: trunk.name, channel: trunk.channel, maxCalls: pacing.maxCalls, callsPerMinute: pacing.callsPerMinute,
                  pbx: allPBXs[0].name)
        }
    }
}
