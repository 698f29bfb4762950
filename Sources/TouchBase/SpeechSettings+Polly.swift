import Speech

extension VoiceSettings {
    func pollyProvider(environment: [String: String]) throws(VoiceSettingsError) -> any SpeechProvider {
        throw VoiceSettingsError("polly: not in this build yet")
    }
}
