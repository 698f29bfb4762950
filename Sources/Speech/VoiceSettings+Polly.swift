extension VoiceSettings {
    /// Polly signs with an access key pair read from the environment: `api_key_env` names the
    /// access key id's variable (default `AWS_ACCESS_KEY_ID`), `secret_key_env` the secret's
    /// (default `AWS_SECRET_ACCESS_KEY`); `AWS_SESSION_TOKEN` is sent when set.
    func pollyProvider(environment: [String: String]) throws(VoiceSettingsError) -> any SpeechProvider {
        let idVariable = apiKeyEnvironment ?? "AWS_ACCESS_KEY_ID"
        let secretVariable = secretKeyEnvironment ?? "AWS_SECRET_ACCESS_KEY"
        guard let id = environment[idVariable], !id.isEmpty else {
            throw VoiceSettingsError("polly: environment variable \(idVariable) (api_key_env, the access key id) is not set")
        }
        guard let secret = environment[secretVariable], !secret.isEmpty else {
            throw VoiceSettingsError("polly: environment variable \(secretVariable) (secret_key_env) is not set")
        }
        guard [8_000, 16_000].contains(sampleRate ?? 16_000) else { throw VoiceSettingsError("polly: sample_rate must be 8000 or 16000") }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return PollyProvider(endpoint: url, region: region ?? "us-east-1",
                             credentials: AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token),
                             voice: voice ?? "Joanna", engine: model ?? "neural", sampleRate: sampleRate ?? 16_000)
    }
}
