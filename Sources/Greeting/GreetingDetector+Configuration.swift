extension GreetingDetector {
    /// The detector's thresholds, with documented defaults.
    ///
    /// The defaults are the settings that judged the most answers of the greeting corpus right
    /// (`scripts/greeting-corpus`, and the figures in BENCHMARKS.md). Times are `Duration`s;
    /// the detector turns them into sample counts at 8,000 Hz.
    public struct Configuration: Sendable, Equatable {
        /// How long a caller who said a sentence (up to ``personMaximumSpeech``) must stay
        /// silent before they count as a person waiting for us. Default 2.8 s.
        ///
        /// This is the trade-off of the whole detector: a person who answered "Hi, this is Dana."
        /// hears this much silence before the owner's phone rings, and a greeting that opens as
        /// briefly ("Hi, this is Sam Lee.") and then pauses longer than this is judged a person.
        /// A pause recorded in one take is longer than the silence put between its sentences:
        /// issue 11's greeting, 2.2 s padded between two espeak-ng sentences, holds 2.56 s of
        /// silence, and sounds so through a real Asterisk. 1.8 s keeps every person under 2 s
        /// but loses greetings that pause 2 s and more; from 2.6 s the whole corpus is judged
        /// right, and 2.8 s leaves a margin over that 2.56 s pause.
        public var personSilence: Duration
        /// How long a caller who said no more than ``shortAnswerMaximumSpeech`` ("Hello?") must
        /// stay silent before they count as a person. Default 1.8 s: greetings do not open with
        /// a single word and a pause, people answering the phone do.
        public var shortAnswerSilence: Duration
        /// The most speech an answer holds to count as short ("Hello?", "Yeah, hello?", or two
        /// of them). Default 1 s.
        public var shortAnswerMaximumSpeech: Duration
        /// The most speech (summed over the answer's utterances) a person says before waiting for
        /// us; more than this and silence alone never makes the answer a person. Default 3.2 s.
        public var personMaximumSpeech: Duration
        /// How long the silence after a greeting must last, with no beep, before it counts as the
        /// greeting's end. Longer than any pause inside a greeting. Default 3.5 s.
        public var machineSilence: Duration
        /// The shortest steady tone that counts as a beep. Default 70 ms (beeps are 80 ms and
        /// longer; the margin is for the analysis window's edges).
        public var beepMinimum: Duration
        /// How long after a beep's end no further tone and no voice must follow before the beep
        /// counts as the last one (a second beep comes sooner). Default 200 ms.
        public var beepSettle: Duration
        /// How far above the adaptive noise floor a 10 ms block must be to count as voice, in dB.
        /// Default 10 dB.
        public var voiceOverNoiseFloor: Double
        /// The quietest block that can count as voice, in dB below full scale. Default -50 dB.
        public var voiceMinimumLevel: Double

        /// Creates a configuration; every field has its default.
        public init(
            personSilence: Duration = .milliseconds(2800),
            shortAnswerSilence: Duration = .milliseconds(1800),
            shortAnswerMaximumSpeech: Duration = .milliseconds(1000),
            personMaximumSpeech: Duration = .milliseconds(3200),
            machineSilence: Duration = .milliseconds(3500),
            beepMinimum: Duration = .milliseconds(70),
            beepSettle: Duration = .milliseconds(200),
            voiceOverNoiseFloor: Double = 10,
            voiceMinimumLevel: Double = -50
        ) {
            self.personSilence = personSilence
            self.shortAnswerSilence = shortAnswerSilence
            self.shortAnswerMaximumSpeech = shortAnswerMaximumSpeech
            self.personMaximumSpeech = personMaximumSpeech
            self.machineSilence = machineSilence
            self.beepMinimum = beepMinimum
            self.beepSettle = beepSettle
            self.voiceOverNoiseFloor = voiceOverNoiseFloor
            self.voiceMinimumLevel = voiceMinimumLevel
        }
    }
}

extension Duration {
    /// The duration as a count of samples at 8,000 Hz.
    var samples: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 8000 + Int(attoseconds / 125_000_000_000_000)
    }
}
