import Foundation

/// What TouchBase's own greeting analysis learnt on a call's AudioSocket, and how much of the
/// message it played there, as the store keeps it.
///
/// Written as soon as each part is known (the decision, then the playback's end), so the
/// `answered` route and any other node read it. Time is 8 kHz samples from the first audio
/// frame, as the analysis counts it.
public struct GreetingResult: Sendable, Hashable, Codable {
    /// Who answered, as the analysis judged.
    public enum Verdict: String, Sendable, Hashable, Codable {
        /// A voicemail greeting; the message follows its end.
        case machine
        /// A person.
        case person
        /// A carrier's special information tones: the number is not in service.
        case invalidNumber = "invalid-number"
        /// The call ended, or the listening limit ran out, before a decision.
        case undecided
    }

    /// Who answered.
    public var verdict: Verdict
    /// The sample at which the decision was made.
    public var decidedAt: Int?
    /// For a machine: where its greeting ended (the beep's end, or the silence after it).
    public var greetingEndedAt: Int?
    /// For a machine with a beep: the beep's frequency in Hz.
    public var beepFrequency: Double?
    /// Samples of the message (8 kHz) sent to Asterisk so far.
    public var messageSamplesPlayed: Int
    /// Samples in the whole message (8 kHz); 0 when none was due.
    public var messageSampleCount: Int
    /// How the AudioSocket ended (`hung-up`, `callee-hung-up`, `connection-dropped: …`), or
    /// `nil` while it is still open: a machine's playback may still be going on.
    public var ending: String?

    /// Creates a result.
    public init(verdict: Verdict, decidedAt: Int? = nil, greetingEndedAt: Int? = nil, beepFrequency: Double? = nil,
                messageSamplesPlayed: Int = 0, messageSampleCount: Int = 0, ending: String? = nil) {
        self.verdict = verdict
        self.decidedAt = decidedAt
        self.greetingEndedAt = greetingEndedAt
        self.beepFrequency = beepFrequency
        self.messageSamplesPlayed = messageSamplesPlayed
        self.messageSampleCount = messageSampleCount
        self.ending = ending
    }

    /// How much of the message played (0...1); 0 when none was due.
    public var playedShare: Double {
        guard messageSampleCount > 0 else { return 0 }
        return min(1, max(0, Double(messageSamplesPlayed) / Double(messageSampleCount)))
    }
}
