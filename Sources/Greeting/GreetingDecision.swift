/// What the greeting analysis has decided about the answered call so far.
///
/// Every sample index counts samples at 8,000 Hz from the first sample the detector consumed.
public enum GreetingDecision: Sendable, Equatable {
    /// Not decided yet: keep feeding audio.
    case listening
    /// A person answered; `decidedAt` is the sample index at which it was decided.
    case person(decidedAt: Int)
    /// A machine; its greeting ended at `greetingEndedAt` (the beep's end, or the start of the
    /// silence after a beep-less greeting). The message should start right away.
    case machine(greetingEndedAt: Int, beep: DetectedTone?)
    /// A carrier's special information tones (number not in service and the like).
    case invalidNumber(decidedAt: Int)

    /// Whether the decision is final (anything but ``listening``).
    public var isFinal: Bool {
        if case .listening = self { return false }
        return true
    }
}

/// A steady narrow-band tone the detector heard: a mailbox's beep, or one SIT tone.
public struct DetectedTone: Sendable, Equatable {
    /// The tone's frequency in Hz, as measured: within 2% above 400 Hz, within 15 Hz below.
    public var frequency: Double
    /// The sample index where the tone began.
    public var startSample: Int
    /// The sample index just past the tone's end.
    public var endSample: Int

    /// Creates a tone record.
    public init(frequency: Double, startSample: Int, endSample: Int) {
        self.frequency = frequency
        self.startSample = startSample
        self.endSample = endSample
    }

    /// The tone's length in samples.
    public var sampleCount: Int { endSample - startSample }
}
