/// How the `answered` and `drop` routes treat a call: what counts as voicemail, how long to
/// wait for the beep, what a person who answers gets.
public struct CallHandlingSettings: Sendable, Hashable {
    /// What a person who answers gets.
    public enum HumanAnswer: String, Sendable, Hashable, CaseIterable {
        /// The call is connected to the owner (EXEC Dial with the owner's dial string).
        case connect
        /// The message for the step is played to them.
        case message
    }

    /// Whether AMD's NOTSURE is treated as voicemail (a message is left) rather than a person.
    public var notSureIsMachine = true
    /// What a person who answers gets.
    public var humanAnswer = HumanAnswer.connect
    /// How long the owner's phone rings for a connected call.
    public var ownerRingSeconds = 30
    /// WaitForSilence's figures: the silence that follows the beep, how many times, and the
    /// longest wait, so a greeting that never ends cannot hold the call.
    public var silenceMilliseconds = 1500
    public var silenceIterations = 1
    public var silenceTimeoutSeconds = 20
    /// The country calling code for numbers the dialplan passes without one (`outcome`,
    /// `drop`, `inbound`).
    public var countryCode = "1"

    /// The defaults.
    public init() {}
}
