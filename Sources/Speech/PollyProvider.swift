import Foundation

/// Amazon Polly's SynthesizeSpeech, `POST /v1/speech`, signed with AWS Signature Version 4:
/// `{"Engine", "OutputFormat": "pcm", "SampleRate": "8000" or "16000", "Text", "TextType",
/// "VoiceId"}`. `pcm` is raw signed 16-bit little-endian mono at the requested rate. SSML when
/// the request has it.
///
/// Polly answers an error as JSON, its type in `__type` or the `x-amzn-ErrorType` header and its
/// words in `message` (or `Message`). Throttling (`ThrottlingException` with HTTP 400, or a 429)
/// and 5xx answers are tried again as ``retry`` says, the same signed request each time (a
/// signature holds for 5 minutes, longer than any ``RetryPolicy/maximumDelay`` wait); any other
/// error, e.g. `TextLengthExceededException` or `InvalidSsmlException`, is reported at once as
/// ``SpeechError/provider(name:status:message:)`` with Polly's type and message.
public struct PollyProvider: SpeechProvider {
    /// The service endpoint, e.g. `https://polly.us-east-1.amazonaws.com`.
    public var endpoint: String
    /// The region the request is signed for.
    public var region: String
    /// The key that signs.
    public var credentials: AWSCredentials
    /// The voice, e.g. `Joanna`.
    public var voice: String
    /// `standard`, `neural`, `long-form` or `generative`, as the voice supports.
    public var engine: String
    /// 8,000 or 16,000 Hz, the rates Polly gives `pcm` at; any other value asks for 16,000.
    public var sampleRate: Int
    /// How often to try again, and how long to wait.
    public var retry: RetryPolicy
    /// The signing time's source.
    public var clock: @Sendable () -> Date

    /// Creates a provider; `endpoint` defaults to the region's, `https://polly.REGION.amazonaws.com`.
    public init(endpoint: String? = nil, region: String = "us-east-1", credentials: AWSCredentials, voice: String = "Joanna",
                engine: String = "neural", sampleRate: Int = 16_000, retry: RetryPolicy = RetryPolicy(),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoint = endpoint ?? "https://polly.\(region).amazonaws.com"
        self.region = region
        self.credentials = credentials
        self.voice = voice
        self.engine = engine
        self.sampleRate = sampleRate
        self.retry = retry
        self.clock = clock
    }

    public var voiceName: String { "polly:\(engine)/\(voice)" }

    /// The rate asked for and answered.
    var pcmRate: Int { sampleRate == 8_000 ? 8_000 : 16_000 }

    public func synthesize(_ request: SpeechRequest, client: HTTPClient) async throws -> PCMAudio {
        let response = try await send(signedRequest(request, at: clock()), client: client, retry: retry,
                                      isRetryable: Self.isRetryable, errorMessage: Self.errorMessage)
        guard response.body.count >= 2 else { throw SpeechError.provider(name: voiceName, status: response.status, message: "truncated audio") }
        return PCMAudio(samples: AudioDecoding.pcm16(response.body), sampleRate: pcmRate)
    }

    /// The SynthesizeSpeech request for `request`, signed at `date`.
    func signedRequest(_ request: SpeechRequest, at date: Date) throws -> HTTPRequest {
        let json: [String: Any] = ["Engine": engine, "OutputFormat": "pcm", "SampleRate": String(pcmRate),
                                   "Text": request.ssml ?? request.text, "TextType": request.ssml == nil ? "text" : "ssml", "VoiceId": voice]
        let body = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        let unsigned = HTTPRequest(url: endpoint + "/v1/speech", headers: [("Content-Type", "application/json")], body: Array(body))
        return try AWSSignatureV4(credentials: credentials, region: region, service: "polly").sign(unsigned, at: date)
    }

    /// The error types AWS uses for "slow down"; Polly's own is `ThrottlingException`.
    static let throttlingTypes: Set<String> = ["ThrottlingException", "Throttling", "TooManyRequestsException"]

    /// Throttling, 429 and 5xx are worth another try; other errors say what to fix.
    static func isRetryable(_ response: HTTPResponse) -> Bool {
        response.status == 429 || (500...599).contains(response.status)
            || (response.status == 400 && errorType(response).map(throttlingTypes.contains) == true)
    }

    /// The error's type from `__type` or `x-amzn-ErrorType`, without a namespace
    /// (`com.amazonaws.polly#`) or the header's `:URL` tail.
    static func errorType(_ response: HTTPResponse) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        guard let raw = (object?["__type"] as? String) ?? response.headers["x-amzn-errortype"] else { return nil }
        let name = raw.split(separator: "#").last.map(String.init) ?? raw
        return name.split(separator: ":").first.map(String.init) ?? name
    }

    /// `TYPE: message` from Polly's error body, or as much of it as there is.
    static func errorMessage(_ response: HTTPResponse) -> String {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let message = (object?["message"] as? String) ?? (object?["Message"] as? String)
        switch (errorType(response), message) {
        case let (type?, message?): return "\(type): \(message)"
        case let (nil, message?): return message
        case let (type?, nil): return type
        case (nil, nil): return response.body.isEmpty ? "no body" : response.bodyExcerpt
        }
    }
}
