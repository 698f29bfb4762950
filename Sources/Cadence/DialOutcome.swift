/// What happened on one call, in the follow-up's terms.
///
/// Made from the variables Asterisk really sets (see ``AsteriskCallVariables``). Values TouchBase
/// does not know are kept in ``unknown(_:)`` and logged; they never stop the cadence.
public enum DialOutcome: Sendable, Hashable, Codable {
    /// Voicemail answered and the message played; `playedShare` is how much of it (0...1), from
    /// STREAM FILE's endpos against the audio's length.
    case voicemail(playedShare: Double)
    /// A person answered.
    case human
    /// Nobody answered: ring timeout, `NOANSWER`, or the callee hung up before anything happened.
    case noAnswer
    /// The line was busy.
    case busy
    /// The network could not complete the call (`CONGESTION`, cause 34, call file reason 8).
    case congestion
    /// The channel could not be reached (`CHANUNAVAIL`), or the call was rejected (cause 21).
    case unavailable
    /// The number does not exist (cause 1 unallocated, 28 invalid format).
    case invalidNumber
    /// The callee's privacy manager refused the call (`DONTCALL`, `TORTURE`).
    case refused
    /// The contact called back.
    case calledBack
    /// Asterisk was given bad arguments (`INVALIDARGS`): a configuration problem, not the contact's.
    case configurationError
    /// A value TouchBase does not know, as Asterisk sent it.
    case unknown(String)

    /// Whether the call reached the contact's voicemail.
    public var reachedVoicemail: Bool {
        if case .voicemail = self { return true }
        return false
    }

    /// How much of the message played (0...1), for a call that reached voicemail.
    public var playedShare: Double? {
        if case .voicemail(let share) = self { return share }
        return nil
    }

    /// A short name for logs and reports: `voicemail`, `human`, `no-answer`, ...
    public var name: String {
        switch self {
        case .voicemail: return "voicemail"
        case .human: return "human"
        case .noAnswer: return "no-answer"
        case .busy: return "busy"
        case .congestion: return "congestion"
        case .unavailable: return "unavailable"
        case .invalidNumber: return "invalid-number"
        case .refused: return "refused"
        case .calledBack: return "called-back"
        case .configurationError: return "configuration-error"
        case .unknown: return "unknown"
        }
    }
}

/// The variables Asterisk set for a call, as raw strings, exactly as read over AGI.
///
/// `nil` means the variable was not set. ``outcome(playedSamples:audioSamples:notSureIsMachine:)``
/// turns them into a ``DialOutcome``.
public struct AsteriskCallVariables: Sendable, Hashable, Codable {
    /// `DIALSTATUS` after Dial(): ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL,
    /// DONTCALL, TORTURE, INVALIDARGS.
    public var dialStatus: String?
    /// The call file's or Originate's `REASON`: 0 failed, 1 hung up, 3 ring timeout, 4 answered,
    /// 5 busy, 8 congestion.
    public var reason: String?
    /// `AMDSTATUS`: MACHINE, HUMAN, NOTSURE, HANGUP.
    public var amdStatus: String?
    /// `AMDCAUSE`, e.g. `MAXWORDS-3-2`, `LONGGREETING-1500-1500`.
    public var amdCause: String?
    /// `HANGUPCAUSE`: Q.850 cause, e.g. 16 normal, 17 busy, 19 no answer, 21 rejected, 1 unallocated.
    public var hangupCause: String?

    /// Creates the variables of a call.
    public init(dialStatus: String? = nil, reason: String? = nil, amdStatus: String? = nil,
                amdCause: String? = nil, hangupCause: String? = nil) {
        self.dialStatus = dialStatus
        self.reason = reason
        self.amdStatus = amdStatus
        self.amdCause = amdCause
        self.hangupCause = hangupCause
    }

    /// The call's outcome.
    ///
    /// Precedence: answering-machine detection first (it only runs on answered calls), then the
    /// hangup cause when it names a number that does not exist, then DIALSTATUS, then the call
    /// file's REASON.
    ///
    /// - Parameters:
    ///   - playedSamples: STREAM FILE's endpos for the message, when one was played.
    ///   - audioSamples: the message audio's length in the same samples.
    ///   - notSureIsMachine: whether AMD's NOTSURE is treated as voicemail (a setting).
    public func outcome(playedSamples: Int? = nil, audioSamples: Int? = nil, notSureIsMachine: Bool = true) -> DialOutcome {
        let share: Double = {
            guard let playedSamples, let audioSamples, audioSamples > 0 else { return 0 }
            return min(1, max(0, Double(playedSamples) / Double(audioSamples)))
        }()
        if let detected = machineDetection(notSureIsMachine: notSureIsMachine).outcome(playedShare: share) { return detected }
        switch hangupCause.flatMap({ Int($0) }) {
        case 1?, 28?: return .invalidNumber
        default: break
        }
        switch dialStatus?.uppercased() {
        case "ANSWER": return hangupCause == "21" ? .unavailable : .human
        case "BUSY": return .busy
        case "NOANSWER", "CANCEL": return .noAnswer
        case "CONGESTION": return .congestion
        case "CHANUNAVAIL": return .unavailable
        case "DONTCALL", "TORTURE": return .refused
        case "INVALIDARGS": return .configurationError
        case nil, "": break
        case let other?: return .unknown("DIALSTATUS=\(other)")
        }
        switch reason.flatMap({ Int($0) }) {
        case 0?: return hangupCause.flatMap({ Int($0) }).map(Self.causeOutcome) ?? .unavailable
        case 1?, 3?: return .noAnswer
        case 4?: return .human
        case 5?: return .busy
        case 8?: return .congestion
        case nil: break
        case let other?: return .unknown("REASON=\(other)")
        }
        if let cause = hangupCause.flatMap({ Int($0) }), cause != 0 { return Self.causeOutcome(cause) }
        return .unknown("no DIALSTATUS, REASON or AMDSTATUS")
    }

    static func causeOutcome(_ cause: Int) -> DialOutcome {
        switch cause {
        case 1, 28: return .invalidNumber
        case 17: return .busy
        case 18, 19, 16: return .noAnswer
        case 21: return .unavailable
        case 34, 38, 41, 42: return .congestion
        case 0: return .unavailable
        default: return .unknown("HANGUPCAUSE=\(cause)")
        }
    }
}

extension DialOutcome {
    /// The outcome as the call log keeps it: its ``name``, and for ``unknown(_:)`` the raw
    /// value after a colon (`unknown:DIALSTATUS=WEIRD`).
    ///
    /// A voicemail's played share is kept in a column of its own; ``init(logValue:playedShare:)``
    /// reads both back.
    public var logValue: String {
        if case .unknown(let raw) = self { return "unknown:" + raw }
        return name
    }

    /// Reads an outcome back from the call log.
    ///
    /// - Parameters:
    ///   - logValue: what ``logValue`` wrote.
    ///   - playedShare: the played share kept beside it, for a voicemail (0 when absent).
    /// - Returns: the outcome; a value no release of TouchBase wrote comes back as
    ///   ``unknown(_:)`` holding it whole, so nothing stored is lost.
    public init(logValue: String, playedShare: Double?) {
        switch logValue {
        case "voicemail": self = .voicemail(playedShare: playedShare ?? 0)
        case "human": self = .human
        case "no-answer": self = .noAnswer
        case "busy": self = .busy
        case "congestion": self = .congestion
        case "unavailable": self = .unavailable
        case "invalid-number": self = .invalidNumber
        case "refused": self = .refused
        case "called-back": self = .calledBack
        case "configuration-error": self = .configurationError
        default:
            self = .unknown(logValue.hasPrefix("unknown:") ? String(logValue.dropFirst("unknown:".count)) : logValue)
        }
    }
}
