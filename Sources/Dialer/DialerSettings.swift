import Foundation

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

    /// The defaults.
    public init() {}
}
