/// Judges an answered call's first seconds: a person, a machine's greeting (and when it ended),
/// or a carrier's intercept.
///
/// Pure: it holds no clock and does no I/O. Feed it the callee's audio, 16-bit signed linear mono
/// at 8,000 Hz, in chunks of any size; every sample index it reports counts samples consumed.
/// Time passes only with samples: a line that sends no frames in silence should be fed zeros
/// for the time it was silent, or silences will look shorter than they were.
///
/// The audio is analysed in windows of 20 ms every 10 ms. Each window is measured for a steady
/// tone (``WindowFeatures``), a carrier's ringback, and voice against an adaptive noise floor.
/// Then, in this order:
/// - three rising SIT tones make an ``GreetingDecision/invalidNumber(decidedAt:)``;
/// - a steady tone of at least ``Configuration/beepMinimum`` followed by
///   ``Configuration/beepSettle`` with neither a tone nor voice is a beep: a machine whose
///   greeting ended at the beep's end (the last of two beeps);
/// - a caller who said no more than ``Configuration/personMaximumSpeech`` and then stays silent
///   for ``Configuration/personSilence`` is a person (after a short answer such as "Hello?",
///   ``Configuration/shortAnswerSilence`` is enough), unless a tone was heard (a beep is always
///   a machine's);
/// - any longer answer followed by ``Configuration/machineSilence`` of silence is a machine whose
///   greeting ended where the silence began.
/// Ringback is neither voice nor tone, and the speech heard before it is forgotten.
public struct GreetingDetector: Sendable {
    /// The thresholds in use.
    public let configuration: Configuration
    /// The decision so far.
    public internal(set) var decision: GreetingDecision = .listening
    /// Samples consumed so far (the time base of every sample index in a decision).
    public internal(set) var samplesConsumed: Int = 0

    var window = [Float](repeating: 0, count: WindowFeatures.length)
    private var filled = 0
    private var lastInput: Float = 0
    private var dcFree: Float = 0
    var voice: VoiceActivity
    var speech: SpeechTimeline
    var tones: ToneTracker
    var toneHeard = false
    var ringbackWindows = 0
    var voiceAfterTone = 0
    var tonesJudged = 0
    let limits: Limits

    struct Limits: Sendable {
        var personSilence, personSpeech, shortSilence, shortSpeech, machineSilence, beepSettle: Int
        static let minimumSpeech = 1200
    }

    /// Creates a detector that has heard nothing yet.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        voice = VoiceActivity(overFloorDecibels: configuration.voiceOverNoiseFloor,
                              minimumDecibels: configuration.voiceMinimumLevel)
        speech = SpeechTimeline(wordGap: 2400)
        tones = ToneTracker(beepMinimum: configuration.beepMinimum.samples)
        limits = Limits(personSilence: configuration.personSilence.samples,
                        personSpeech: configuration.personMaximumSpeech.samples,
                        shortSilence: configuration.shortAnswerSilence.samples,
                        shortSpeech: configuration.shortAnswerMaximumSpeech.samples,
                        machineSilence: configuration.machineSilence.samples,
                        beepSettle: configuration.beepSettle.samples)
    }

    /// Feeds the next samples (any count, any frame size) and returns the decision so far.
    ///
    /// Once the decision is final (anything but ``GreetingDecision/listening``), further samples
    /// do not change it.
    public mutating func consume(_ samples: UnsafeBufferPointer<Int16>) -> GreetingDecision {
        guard !decision.isFinal else {
            samplesConsumed += samples.count
            return decision
        }
        let hop = WindowFeatures.length / 2
        let base = samplesConsumed
        for (index, sample) in samples.enumerated() {
            // A DC blocker (a pole at about 6 Hz): an offset on the line is neither voice nor tone.
            let x = Float(sample) * (1 / 32768)
            dcFree = x - lastInput + 0.995 * dcFree
            lastInput = x
            window[hop + filled] = dcFree
            filled += 1
            guard filled == hop else { continue }
            filled = 0
            samplesConsumed = base + index + 1
            analyseWindow()
            if decision.isFinal { break }
            for i in 0..<hop { window[i] = window[hop + i] }
        }
        samplesConsumed = base + samples.count
        return decision
    }

    /// Feeds the next samples (any count, any frame size) and returns the decision so far.
    public mutating func consume(_ samples: [Int16]) -> GreetingDecision {
        samples.withUnsafeBufferPointer { consume($0) }
    }
}
