import Settings

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

    /// Who tells a voicemail greeting from a person on an answered call.
    public enum Detector: String, Sendable, Hashable, CaseIterable {
        /// TouchBase's own analysis over AudioSocket; the message starts at the greeting's end.
        case touchbase
        /// Asterisk's app_amd, then WaitForSilence before the message.
        case amd
    }

    /// Who tells a voicemail greeting from a person.
    public var detector = Detector.touchbase
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

extension CallHandlingSettings {
    /// Reads the `[calls]` section; settings it leaves out keep their defaults.
    ///
    /// - Throws: ``SettingsProblem`` naming the key of a value out of range or not one of the
    ///   choices.
    public init(reading settings: inout SettingsReader) throws {
        self.init()
        if let value = try settings.string("detector", oneOf: Detector.allCases.map(\.rawValue)) {
            detector = Detector(rawValue: value) ?? detector
        }
        if let value = try settings.bool("not_sure_is_machine") { notSureIsMachine = value }
        if let value = try settings.string("human_answer", oneOf: HumanAnswer.allCases.map(\.rawValue)) {
            humanAnswer = HumanAnswer(rawValue: value) ?? humanAnswer
        }
        if let value = try settings.int("owner_ring_seconds", in: 5...300) { ownerRingSeconds = value }
        if let value = try settings.int("silence_ms", in: 300...10_000) { silenceMilliseconds = value }
        if let value = try settings.int("silence_iterations", in: 1...10) { silenceIterations = value }
        if let value = try settings.int("silence_timeout_seconds", in: 1...120) { silenceTimeoutSeconds = value }
        if let value = try settings.string("country_code") {
            guard !value.isEmpty, value.count <= 3, value.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw settings.error("country_code", "must be 1 to 3 digits")
            }
            countryCode = value
        }
    }
}
