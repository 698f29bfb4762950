import Greeting
import Settings

/// The `[greeting]` section: the greeting analysis's thresholds worth tuning, and how long a call
/// is listened to.
public struct GreetingCallSettings: Sendable, Equatable {
    /// The detector's thresholds; the defaults are those BENCHMARKS.md measured.
    public var detector = GreetingDetector.Configuration()
    /// The keep-alive interval and the listening limit.
    public var drop = VoicemailDropSettings()

    /// The defaults.
    public init() {}

    /// Reads the `[greeting]` section; settings it leaves out keep their defaults.
    ///
    /// Keys (milliseconds unless named otherwise): `person_silence_ms`,
    /// `short_answer_silence_ms`, `person_maximum_speech_ms`, `machine_silence_ms`,
    /// `beep_minimum_ms`, `listen_seconds`.
    ///
    /// - Throws: ``SettingsProblem`` naming the key of a value out of range.
    public init(reading settings: inout SettingsReader) throws {
        self.init()
        if let value = try settings.int("person_silence_ms", in: 500...10_000) { detector.personSilence = .milliseconds(value) }
        if let value = try settings.int("short_answer_silence_ms", in: 500...10_000) { detector.shortAnswerSilence = .milliseconds(value) }
        if let value = try settings.int("person_maximum_speech_ms", in: 500...20_000) { detector.personMaximumSpeech = .milliseconds(value) }
        if let value = try settings.int("machine_silence_ms", in: 1_000...20_000) { detector.machineSilence = .milliseconds(value) }
        if let value = try settings.int("beep_minimum_ms", in: 20...1_000) { detector.beepMinimum = .milliseconds(value) }
        if let seconds = try settings.int("listen_seconds", in: 10...300) { drop.maximumSamplesHeard = seconds * 8_000 }
    }
}
