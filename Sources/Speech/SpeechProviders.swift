import Foundation

/// What to say, and how.
public struct SpeechRequest: Sendable, Hashable {
    /// The words as plain text.
    public var text: String
    /// The same words as SSML, for providers that take it.
    public var ssml: String?

    /// Creates a request.
    public init(text: String, ssml: String? = nil) {
        self.text = text
        self.ssml = ssml
    }
}

/// A text-to-speech endpoint, built to its documented wire format.
public protocol SpeechProvider: Sendable {
    /// Names the provider and voice in logs and the call log, e.g. `piper:en_US-joe-medium`.
    var voiceName: String { get }
    /// Speaks the request.
    ///
    /// - Throws: ``SpeechError`` or ``HTTPClientError``, naming the provider and what it said.
    func synthesize(_ request: SpeechRequest, client: HTTPClient) async throws -> PCMAudio
}

extension SpeechProvider {
    /// Sends a JSON request with retries and returns a successful response's body.
    func post(_ url: String, json: Any, headers: [(String, String)] = [], client: HTTPClient, retry: RetryPolicy,
              isRetryable: @escaping @Sendable (HTTPResponse) -> Bool = { $0.status == 429 || (500...599).contains($0.status) },
              errorMessage: (HTTPResponse) -> String) async throws -> HTTPResponse {
        let body = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        let request = HTTPRequest(url: url, headers: [("Content-Type", "application/json")] + headers, body: Array(body))
        return try await send(request, client: client, retry: retry, isRetryable: isRetryable, errorMessage: errorMessage)
    }

    /// Sends a prepared request with retries and returns a successful response's body.
    func send(_ request: HTTPRequest, client: HTTPClient, retry: RetryPolicy, isRetryable: @escaping @Sendable (HTTPResponse) -> Bool,
              errorMessage: (HTTPResponse) -> String) async throws -> HTTPResponse {
        let response = try await client.send(request, retry: retry, isRetryable: isRetryable)
        guard (200..<300).contains(response.status) else {
            throw SpeechError.provider(name: voiceName, status: response.status, message: errorMessage(response))
        }
        guard !response.body.isEmpty else {
            throw SpeechError.provider(name: voiceName, status: response.status, message: "empty body")
        }
        return response
    }
}

/// RFC 3986's unreserved characters: everything else in a URL part is percent-encoded.
let urlUnreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

/// The `message` of a JSON error body at the given path, or the body's start.
func jsonMessage(_ response: HTTPResponse, _ path: [String]) -> String {
    var value: Any? = try? JSONSerialization.jsonObject(with: Data(response.body))
    for key in path { value = (value as? [String: Any])?[key] }
    return (value as? String) ?? response.bodyExcerpt
}

/// Piper's HTTP server (`python -m piper.http_server -m MODEL`): `POST /synthesize` with
/// `{"text": ...}` answers a WAV at the voice's own rate (22,050 Hz for medium voices).
public struct PiperProvider: SpeechProvider {
    public var baseURL: String
    public var voice: String?
    public var retry: RetryPolicy

    /// Creates a Piper provider, e.g. `PiperProvider(baseURL: "http://127.0.0.1:5000")`.
    public init(baseURL: String, voice: String? = nil, retry: RetryPolicy = RetryPolicy()) {
        self.baseURL = baseURL
        self.voice = voice
        self.retry = retry
    }

    public var voiceName: String { "piper:\(voice ?? "default")" }

    public func synthesize(_ request: SpeechRequest, client: HTTPClient) async throws -> PCMAudio {
        var json: [String: Any] = ["text": request.text]
        if let voice { json["voice"] = voice }
        let response = try await post(baseURL + "/synthesize", json: json, client: client, retry: retry) { $0.bodyExcerpt }
        return try AudioDecoding.wav(response.body)
    }
}

/// An OpenAI-compatible `POST /v1/audio/speech` (OpenAI, and servers that copy its API):
/// `{"model", "voice", "input", "response_format"}`, bearer auth; `pcm` is raw 16-bit at a rate
/// the server decides (OpenAI: 24,000 Hz), so the rate is a setting.
public struct OpenAICompatibleProvider: SpeechProvider {
    public var baseURL: String
    public var apiKey: String?
    public var model: String
    public var voice: String
    public var pcmSampleRate: Int
    public var retry: RetryPolicy

    /// Creates a provider.
    public init(baseURL: String, apiKey: String?, model: String = "tts-1", voice: String = "alloy", pcmSampleRate: Int = 24_000,
                retry: RetryPolicy = RetryPolicy()) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.voice = voice
        self.pcmSampleRate = pcmSampleRate
        self.retry = retry
    }

    public var voiceName: String { "openai:\(model)/\(voice)" }

    public func synthesize(_ request: SpeechRequest, client: HTTPClient) async throws -> PCMAudio {
        let json: [String: Any] = ["model": model, "voice": voice, "input": request.text, "response_format": "pcm"]
        let response = try await post(baseURL + "/v1/audio/speech", json: json, headers: apiKey.map { [("Authorization", "Bearer \($0)")] } ?? [],
                                      client: client, retry: retry) { jsonMessage($0, ["error", "message"]) }
        guard response.body.count >= 2 else { throw SpeechError.provider(name: voiceName, status: response.status, message: "truncated audio") }
        return PCMAudio(samples: AudioDecoding.pcm16(response.body), sampleRate: pcmSampleRate)
    }
}

/// Google Cloud Text-to-Speech `POST v1/text:synthesize?key=KEY`: LINEAR16 at 8,000 or 16,000 Hz,
/// returned base64 in `audioContent` (a WAV, header included). SSML when given.
public struct GoogleProvider: SpeechProvider {
    public var baseURL: String
    public var apiKey: String
    public var languageCode: String
    public var voice: String
    public var sampleRate: Int
    public var retry: RetryPolicy

    /// Creates a provider; `baseURL` defaults to Google's endpoint.
    public init(baseURL: String = "https://texttospeech.googleapis.com", apiKey: String, languageCode: String = "en-US",
                voice: String = "en-US-Neural2-D", sampleRate: Int = 16_000, retry: RetryPolicy = RetryPolicy()) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.languageCode = languageCode
        self.voice = voice
        self.sampleRate = sampleRate
        self.retry = retry
    }

    public var voiceName: String { "google:\(voice)" }

    public func synthesize(_ request: SpeechRequest, client: HTTPClient) async throws -> PCMAudio {
        let input: [String: Any] = request.ssml.map { ["ssml": $0] } ?? ["text": request.text]
        let json: [String: Any] = ["input": input, "voice": ["languageCode": languageCode, "name": voice],
                                   "audioConfig": ["audioEncoding": "LINEAR16", "sampleRateHertz": sampleRate]]
        let key = apiKey.addingPercentEncoding(withAllowedCharacters: urlUnreserved) ?? apiKey
        let response = try await post(baseURL + "/v1/text:synthesize?key=\(key)", json: json, client: client, retry: retry) {
            jsonMessage($0, ["error", "message"])
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let content = object["audioContent"] as? String, let audio = Data(base64Encoded: content) else {
            throw SpeechError.provider(name: voiceName, status: response.status, message: "no base64 audioContent in the answer")
        }
        let bytes = Array(audio)
        if bytes.starts(with: Array("RIFF".utf8)) { return try AudioDecoding.wav(bytes) }
        return PCMAudio(samples: AudioDecoding.pcm16(bytes), sampleRate: sampleRate)
    }
}

/// Azure Speech `POST https://REGION.tts.speech.microsoft.com/cognitiveservices/v1`: an SSML
/// body, `Ocp-Apim-Subscription-Key`, `X-Microsoft-OutputFormat: raw-16khz-16bit-mono-pcm`
/// (or `raw-8khz-16bit-mono-pcm`).
public struct AzureProvider: SpeechProvider {
    public var baseURL: String
    public var subscriptionKey: String
    public var voice: String
    public var sampleRate: Int
    public var retry: RetryPolicy

    /// Creates a provider for a region's endpoint, e.g. `https://eastus.tts.speech.microsoft.com`.
    public init(baseURL: String, subscriptionKey: String, voice: String = "en-US-JennyNeural", sampleRate: Int = 16_000,
                retry: RetryPolicy = RetryPolicy()) {
        self.baseURL = baseURL
        self.subscriptionKey = subscriptionKey
        self.voice = voice
        self.sampleRate = sampleRate
        self.retry = retry
    }

    public var voiceName: String { "azure:\(voice)" }

    public func synthesize(_ request: SpeechRequest, client: HTTPClient) async throws -> PCMAudio {
        let inner = request.ssml.map { $0.replacingOccurrences(of: "<speak>", with: "").replacingOccurrences(of: "</speak>", with: "") }
            ?? Self.escaped(request.text)
        let ssml = "<speak version='1.0' xml:lang='en-US'><voice name='\(voice)'>\(inner)</voice></speak>"
        let format = sampleRate == 8_000 ? "raw-8khz-16bit-mono-pcm" : "raw-16khz-16bit-mono-pcm"
        let response = try await client.send(HTTPRequest(url: baseURL + "/cognitiveservices/v1", headers: [
            ("Ocp-Apim-Subscription-Key", subscriptionKey), ("Content-Type", "application/ssml+xml"),
            ("X-Microsoft-OutputFormat", format), ("User-Agent", "TouchBase"),
        ], body: Array(ssml.utf8)), retry: retry)
        guard (200..<300).contains(response.status) else {
            throw SpeechError.provider(name: voiceName, status: response.status, message: response.body.isEmpty ? "no body" : response.bodyExcerpt)
        }
        guard response.body.count >= 2 else { throw SpeechError.provider(name: voiceName, status: response.status, message: "empty body") }
        return PCMAudio(samples: AudioDecoding.pcm16(response.body), sampleRate: sampleRate == 8_000 ? 8_000 : 16_000)
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "'", with: "&apos;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// ElevenLabs `POST /v1/text-to-speech/VOICE?output_format=pcm_16000` (or `ulaw_8000`) with
/// `xi-api-key`; the body is raw audio in that format.
public struct ElevenLabsProvider: SpeechProvider {
    public var baseURL: String
    public var apiKey: String
    public var voiceID: String
    public var model: String
    public var outputFormat: String
    public var retry: RetryPolicy

    /// Creates a provider; `outputFormat` is `pcm_16000` or `ulaw_8000`.
    public init(baseURL: String = "https://api.elevenlabs.io", apiKey: String, voiceID: String, model: String = "eleven_multilingual_v2",
                outputFormat: String = "pcm_16000", retry: RetryPolicy = RetryPolicy()) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.voiceID = voiceID
        self.model = model
        self.outputFormat = outputFormat
        self.retry = retry
    }

    public var voiceName: String { "elevenlabs:\(voiceID)" }

    public func synthesize(_ request: SpeechRequest, client: HTTPClient) async throws -> PCMAudio {
        let voice = voiceID.addingPercentEncoding(withAllowedCharacters: urlUnreserved) ?? voiceID
        let response = try await post(baseURL + "/v1/text-to-speech/\(voice)?output_format=\(outputFormat)",
                                      json: ["text": request.text, "model_id": model], headers: [("xi-api-key", apiKey)],
                                      client: client, retry: retry) { response in
            let message = jsonMessage(response, ["detail", "message"])
            return message == response.bodyExcerpt ? jsonMessage(response, ["detail"]) : message
        }
        if outputFormat.hasPrefix("ulaw") { return PCMAudio(samples: response.body.map(MuLaw.decode), sampleRate: 8_000) }
        return PCMAudio(samples: AudioDecoding.pcm16(response.body), sampleRate: Int(outputFormat.split(separator: "_").last ?? "16000") ?? 16_000)
    }
}
