import CoreMetrics
import Logging
import Settings

extension SpeechSettings {
    /// Reads the `[speech]` section with its `[speech.voice]` and `[speech.fallback]`; settings
    /// it leaves out keep their defaults.
    ///
    /// - Throws: ``SettingsProblem`` naming the key: an empty sounds folder, an unknown local
    ///   engine or provider, a URL that is not http(s), a number out of range.
    public init(reading settings: inout SettingsReader) throws {
        self.init()
        if let folder = try settings.string("sounds_folder") {
            guard !folder.isEmpty else { throw settings.error("sounds_folder", "must not be empty") }
            soundsFolder = folder
        }
        if let folder = try settings.string("templates") { templatesFolder = folder.isEmpty ? nil : folder }
        if let engine = try settings.string("local_engine", oneOf: ["espeak-ng", "none"]) { localEngine = engine == "espeak-ng" }
        if let voice = try settings.string("local_voice") { localVoice = voice }
        if let prerender = try settings.bool("prerender") { self.prerender = prerender }
        if let hours = try settings.double("prerender_hours") {
            guard hours >= 0 else { throw settings.error("prerender_hours", "must be 0 or more") }
            prerenderHours = hours
        }
        if let count = try settings.int("in_flight", in: 1...64) { inFlight = count }
        try settings.section("voice") { voice = try VoiceSettings(reading: &$0) }
        try settings.section("fallback") { fallback = try VoiceSettings(reading: &$0) }
    }
}

extension VoiceSettings {
    /// The provider a voice section that names none speaks to: the local Piper server.
    public static let defaultProvider = "piper"

    /// Reads one voice section (`[speech.voice]`, `[speech.fallback]`); without `provider` it
    /// is ``defaultProvider``.
    ///
    /// - Throws: ``SettingsProblem`` naming the key: an unknown provider, a URL that is not
    ///   http(s), a value of the wrong type.
    public init(reading settings: inout SettingsReader) throws {
        let choices = Self.providers.joined(separator: ", ")
        let provider = try settings.string("provider") ?? Self.defaultProvider
        guard Self.providers.contains(provider) else { throw settings.error("provider", "\"\(provider)\" is not one of \(choices)") }
        self.init(provider: provider)
        url = try settings.string("url")
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw settings.error("url", "must start with http:// or https://")
        }
        voice = try settings.string("voice")
        model = try settings.string("model")
        apiKeyEnvironment = try settings.string("api_key_env")
        secretKeyEnvironment = try settings.string("secret_key_env")
        sampleRate = try settings.int("sample_rate")
        language = try settings.string("language")
        region = try settings.string("region")
    }
}

extension SpeechSettings {
    /// The speaker these settings describe: the first-choice voice, the fallback, espeak-ng when
    /// it is on, writing into the sounds folder. Every command that speaks builds it here, so
    /// each reads `[speech]` the same way.
    ///
    /// - Parameters:
    ///   - chosen: the HTTP voices to use instead of those the settings name (tests).
    ///   - environment: where API keys are read from.
    ///   - metrics: where the voices' circuit breakers report their state.
    /// - Throws: ``SettingsProblem`` keyed `speech.voice` or `speech.fallback`, for the voice
    ///   whose provider cannot be set up (a key variable that is not set, a missing URL).
    public func makeSpeaker(voices chosen: [any SpeechProvider]? = nil, environment: [String: String],
                            metrics: any MetricsFactory = MetricsSystem.factory, logger: Logger) throws(SettingsProblem) -> MessageSpeaker {
        var voices = chosen ?? []
        if chosen == nil {
            for (key, settings) in [("speech.voice", voice), ("speech.fallback", fallback)] {
                guard let settings else { continue }
                do {
                    voices.append(try settings.makeProvider(environment: environment))
                } catch {
                    throw SettingsProblem(key: key, message: error.description)
                }
            }
        }
        return MessageSpeaker(voices: voices, localEngine: localEngine ? LocalSpeechEngine(voice: localVoice) : nil,
                              soundsFolder: absoluteSoundsFolder, logger: logger, metrics: metrics)
    }
}
