import Foundation

/// One text-to-speech endpoint as the configuration names it.
///
/// Keys are read from environment variables named in the file (`api_key_env`), never from the
/// file itself, so a configuration can be shared without its secrets.
public struct VoiceSettings: Sendable, Hashable {
    /// `piper`, `openai`, `google`, `azure`, `elevenlabs` or `polly`.
    public var provider: String
    /// The endpoint; each provider has a default but Piper's and Azure's depend on the install.
    public var url: String?
    /// The provider's voice: Piper speaker, OpenAI `alloy`, Google `en-US-Neural2-D`, Azure
    /// `en-US-JennyNeural`, an ElevenLabs voice id, Polly `Joanna`.
    public var voice: String?
    /// OpenAI's or ElevenLabs' model.
    public var model: String?
    /// The environment variable holding the API key (Polly: the access key id).
    public var apiKeyEnvironment: String?
    /// Polly's secret access key's environment variable.
    public var secretKeyEnvironment: String?
    /// The sample rate asked for, where the provider offers a choice.
    public var sampleRate: Int?
    /// Google's language code.
    public var language: String?
    /// Polly's region.
    public var region: String?

    /// The providers TouchBase speaks to.
    public static let providers = ["piper", "openai", "google", "azure", "elevenlabs", "polly"]

    /// Creates the settings of one voice.
    public init(provider: String, url: String? = nil, voice: String? = nil, model: String? = nil, apiKeyEnvironment: String? = nil,
                secretKeyEnvironment: String? = nil, sampleRate: Int? = nil, language: String? = nil, region: String? = nil) {
        self.provider = provider
        self.url = url
        self.voice = voice
        self.model = model
        self.apiKeyEnvironment = apiKeyEnvironment
        self.secretKeyEnvironment = secretKeyEnvironment
        self.sampleRate = sampleRate
        self.language = language
        self.region = region
    }

    /// The local Piper server `scripts/serve` starts.
    public static let localPiper = VoiceSettings(provider: "piper", url: "http://127.0.0.1:5000")

    /// The provider, with its key read from the environment.
    ///
    /// - Throws: ``VoiceSettingsError`` naming the setting: an unknown provider, a missing URL,
    ///   or a key variable that is not set.
    public func makeProvider(environment: [String: String] = ProcessInfo.processInfo.environment) throws(VoiceSettingsError) -> any SpeechProvider {
        func key(_ variable: String?, _ what: String) throws(VoiceSettingsError) -> String {
            guard let variable, !variable.isEmpty else { throw VoiceSettingsError("\(provider) needs \(what)") }
            guard let value = environment[variable], !value.isEmpty else {
                throw VoiceSettingsError("\(provider): environment variable \(variable) (\(what)) is not set")
            }
            return value
        }
        switch provider {
        case "piper":
            return PiperProvider(baseURL: url ?? "http://127.0.0.1:5000", voice: voice)
        case "openai":
            let apiKey = apiKeyEnvironment.flatMap { environment[$0] }
            if apiKeyEnvironment != nil && apiKey == nil {
                throw VoiceSettingsError("openai: environment variable \(apiKeyEnvironment!) (api_key_env) is not set")
            }
            return OpenAICompatibleProvider(baseURL: url ?? "https://api.openai.com", apiKey: apiKey, model: model ?? "tts-1",
                                            voice: voice ?? "alloy", pcmSampleRate: sampleRate ?? 24_000)
        case "google":
            guard [8_000, 16_000].contains(sampleRate ?? 16_000) else { throw VoiceSettingsError("google: sample_rate must be 8000 or 16000") }
            return GoogleProvider(baseURL: url ?? "https://texttospeech.googleapis.com", apiKey: try key(apiKeyEnvironment, "api_key_env"),
                                  languageCode: language ?? "en-US", voice: voice ?? "en-US-Neural2-D", sampleRate: sampleRate ?? 16_000)
        case "azure":
            guard let url else { throw VoiceSettingsError("azure needs url, e.g. https://eastus.tts.speech.microsoft.com") }
            guard [8_000, 16_000].contains(sampleRate ?? 16_000) else { throw VoiceSettingsError("azure: sample_rate must be 8000 or 16000") }
            return AzureProvider(baseURL: url, subscriptionKey: try key(apiKeyEnvironment, "api_key_env"),
                                 voice: voice ?? "en-US-JennyNeural", sampleRate: sampleRate ?? 16_000)
        case "elevenlabs":
            guard let voice else { throw VoiceSettingsError("elevenlabs needs voice (a voice id)") }
            let format: String
            switch sampleRate ?? 16_000 {
            case 16_000: format = "pcm_16000"
            case 8_000: format = "ulaw_8000"
            default: throw VoiceSettingsError("elevenlabs: sample_rate must be 8000 (ulaw_8000) or 16000 (pcm_16000)")
            }
            return ElevenLabsProvider(baseURL: url ?? "https://api.elevenlabs.io", apiKey: try key(apiKeyEnvironment, "api_key_env"),
                                      voiceID: voice, model: model ?? "eleven_multilingual_v2", outputFormat: format)
        case "polly":
            return try pollyProvider(environment: environment)
        default:
            throw VoiceSettingsError("provider \"\(provider)\" is not one of \(Self.providers.joined(separator: ", "))")
        }
    }
}

/// A voice setting that cannot be used.
public struct VoiceSettingsError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Where messages are spoken and kept.
public struct SpeechSettings: Sendable, Hashable {
    /// The folder the audio is written to, which Asterisk reads: an absolute path such as
    /// `/var/lib/asterisk/sounds/touchbase` in production.
    public var soundsFolder = "sounds"
    /// The message templates folder; `nil` for the built-in templates.
    public var templatesFolder: String?
    /// The first-choice voice.
    public var voice = VoiceSettings.localPiper
    /// A second endpoint, tried when the first fails after its retries.
    public var fallback: VoiceSettings?
    /// Whether espeak-ng speaks when every endpoint failed (so a message is still left).
    public var localEngine = true
    /// espeak-ng's voice.
    public var localVoice = "en-us"
    /// Whether `touchbase serve` renders each next message as soon as its call is scheduled.
    public var prerender = true
    /// How far ahead `touchbase serve` pre-renders at start.
    public var prerenderHours = 24.0
    /// Renders at once (dialer and pre-rendering share the endpoint).
    public var inFlight = 2

    /// The defaults.
    public init() {}

    /// The sounds folder as an absolute path: STREAM FILE reads relative paths from Asterisk's
    /// own sounds folder, not from TouchBase's working directory.
    public var absoluteSoundsFolder: String {
        if soundsFolder.hasPrefix("/") { return soundsFolder }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(soundsFolder).standardized.path
    }
}
