import Crypto
import Foundation
import Logging
import MetricsTestKit
@testable import Speech
import Synchronization
import Testing

@Suite("Audio")
struct AudioTests {
    func wav(_ pcm: [Int16], rate: Int, channels: Int = 1, streamed: Bool = false) -> [UInt8] {
        var bytes = Array("RIFF".utf8)
        func u32(_ v: Int) { bytes += withUnsafeBytes(of: UInt32(v).littleEndian, Array.init) }
        func u16(_ v: Int) { bytes += withUnsafeBytes(of: UInt16(v).littleEndian, Array.init) }
        u32(streamed ? 0xFFFF_FFFF : 36 + pcm.count * 2)
        bytes += Array("WAVEfmt ".utf8)
        u32(16); u16(1); u16(channels); u32(rate); u32(rate * 2 * channels); u16(2 * channels); u16(16)
        bytes += Array("data".utf8)
        u32(streamed ? 0xFFFF_FFFF : pcm.count * 2)
        for s in pcm { bytes += withUnsafeBytes(of: s.littleEndian, Array.init) }
        return bytes
    }

    @Test("WAV decodes, including a streamed WAV whose sizes are 0xFFFFFFFF")
    func wavDecoding() throws {
        let pcm: [Int16] = [0, 1000, -1000, 32767, -32768]
        #expect(try AudioDecoding.wav(wav(pcm, rate: 22_050)) == PCMAudio(samples: pcm, sampleRate: 22_050))
        #expect(try AudioDecoding.wav(wav(pcm, rate: 22_050, streamed: true)) == PCMAudio(samples: pcm, sampleRate: 22_050))
        #expect(try AudioDecoding.wav(wav([100, 300, -100, -300], rate: 8_000, channels: 2)).samples == [200, -200])
        #expect(throws: SpeechError.self) { try AudioDecoding.wav(Array("<html>error</html>".utf8)) }
    }

    @Test("mu-law round trips within G.711's step size")
    func muLaw() {
        for sample in stride(from: -32000, through: 32000, by: 997) {
            let back = Int(MuLaw.decode(MuLaw.encode(Int16(sample))))
            #expect(abs(back - sample) <= max(8, abs(sample) / 16), "\(sample) → \(back)")
        }
        #expect(MuLaw.encode(0) == 0xFF)
    }

    @Test("Piper's 22,050 Hz resamples to 16 kHz with libsoxr, length kept")
    func resampling() throws {
        let tone = (0..<22_050).map { Int16(8000 * sin(2 * Double.pi * 440 * Double($0) / 22_050)) }
        let out = try PCMAudio(samples: tone, sampleRate: 22_050).resampled(to: 16_000)
        #expect(out.sampleRate == 16_000)
        #expect(abs(out.samples.count - 16_000) < 40)
        #expect(out.samples.map { abs(Int($0)) }.max()! > 7000)
    }

    @Test("leading silence is trimmed to 50 ms and the level normalized under the peak ceiling")
    func trimAndNormalize() {
        let audio = PCMAudio(samples: [Int16](repeating: 0, count: 8000) + [Int16](repeating: 2000, count: 8000), sampleRate: 16_000)
        let trimmed = audio.trimmingLeadingSilence()
        #expect(trimmed.samples.count == 8000 + 800)
        let loud = trimmed.normalized()
        #expect(loud.samples.map { abs(Int($0)) }.max()! <= 29_205)
        #expect(loud.samples.last! > 2000)
    }

    @Test("SHA-256 matches FIPS 180-4's examples")
    func sha256() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("HMAC-SHA256 matches RFC 4231's test cases, keys longer than a block included")
    func hmacSHA256() {
        func hmac(_ key: [UInt8], _ data: [UInt8]) -> String { SHA256.hexString(SHA256.hmac(key: key, message: data)) }
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        #expect(hmac([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(hmac(Array("Jefe".utf8), Array("what do ya want for nothing?".utf8))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(hmac([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50))
            == "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")
        #expect(hmac(Array(1...25), [UInt8](repeating: 0xcd, count: 50))
            == "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")
        #expect(hmac([UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8)).prefix(32) == "a3b6167473100ee06e0c796c2955552b")
        #expect(hmac(longKey, Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(hmac(longKey, Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                                     + "The key needs to be hashed before being used by the HMAC algorithm.").utf8))
            == "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }

    @Test("Retry-After is read as seconds or as an HTTP date, and capped")
    func retryAfter() {
        let now = Date(timeIntervalSince1970: 1_795_353_109)
        #expect(RetryPolicy.retryAfterSeconds("3", now: now) == 3)
        let later = now.addingTimeInterval(10)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(RetryPolicy.retryAfterSeconds(formatter.string(from: later), now: now) == 10)
        #expect(RetryPolicy().delay(after: 1, retryAfter: "120") == .seconds(20))
        #expect(RetryPolicy().delay(after: 3, retryAfter: nil) == .seconds(2))
    }
}

@Suite("AWS Signature Version 4 against AWS's published test suite")
struct AWSSignatureTests {
    // The suite's context: aws-sig-v4-test-suite (awslabs/aws-c-auth tests/aws-signing-test-suite/v4).
    let suite = AWSSignatureV4(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                               region: "us-east-1", service: "service")
    let suiteTime = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    func hashOfCanonicalRequest(_ signature: AWSSignatureV4.Signature) -> Substring? {
        signature.stringToSign.split(separator: "\n").last
    }

    @Test("get-vanilla: the canonical request, the string to sign and the Authorization header are the suite's")
    func getVanilla() throws {
        let signed = try suite.signature(for: HTTPRequest(method: "GET", url: "https://example.amazonaws.com/"), at: suiteTime)
        #expect(signed.canonicalRequest == """
            GET
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signed.stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
            """)
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test("post-vanilla: an empty POST signs as the suite's")
    func postVanilla() throws {
        let signed = try suite.signature(for: HTTPRequest(method: "POST", url: "https://example.amazonaws.com/"), at: suiteTime)
        #expect(hashOfCanonicalRequest(signed) == "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87")
        #expect(signed.signature == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
    }

    @Test("get-vanilla-with-session-token: the token is sent as X-Amz-Security-Token and signed")
    func sessionToken() throws {
        var withToken = suite
        withToken.credentials.sessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
        let request = try withToken.sign(HTTPRequest(method: "GET", url: "https://example.amazonaws.com/"), at: suiteTime)
        #expect(request.headers.map(\.name) == ["X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
        #expect(request.headers[1].value == "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267")
        #expect(request.headers[2].value == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8")
    }

    @Test("the query is sorted and encoded, the port is part of host, the payload hash is signed when asked, and a request signed again replaces its old signature")
    func canonicalParts() throws {
        #expect(AWSSignatureV4.canonicalQuery("Param2=value2&Param1=value1") == "Param1=value1&Param2=value2")
        #expect(AWSSignatureV4.canonicalQuery("b=%7e x&a") == "a=&b=~%20x")
        #expect(AWSSignatureV4.canonicalPath("") == "/")
        let local = try suite.signature(for: HTTPRequest(url: "http://127.0.0.1:8080/v1/speech", headers: [("Content-Type", "application/json")]),
                                        at: suiteTime)
        #expect(local.canonicalRequest.contains("\nhost:127.0.0.1:8080\n"))
        #expect(local.signedHeaders == "content-type;host;x-amz-date")
        let once = try suite.sign(HTTPRequest(url: "https://example.amazonaws.com/"), at: suiteTime)
        let twice = try suite.sign(once, at: suiteTime.addingTimeInterval(60))
        #expect(twice.headers.filter { $0.name == "Authorization" }.count == 1)
        #expect(twice.headers.first { $0.name == "X-Amz-Date" }?.value == "20150830T123700Z")
        var hashing = suite
        hashing.signsContentSHA256 = true
        let withHash = try hashing.signature(for: HTTPRequest(url: "https://example.amazonaws.com/", body: Array("Param1=value1".utf8)), at: suiteTime)
        #expect(withHash.headers.contains { $0.name == "x-amz-content-sha256" && $0.value == "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e" })
        #expect(withHash.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
        #expect(throws: HTTPClientError.self) { try suite.sign(HTTPRequest(url: "no host here"), at: suiteTime) }
    }
}

@Suite("Cloud providers' wire formats against a local server that answers as they do", .serialized)
struct ProviderTests {
    let client = HTTPClient(configuration: .init(totalTimeout: .seconds(2)))
    let fast = RetryPolicy(attempts: 3, baseDelay: .milliseconds(50))

    func count(_ server: ChildServer) async throws -> Int {
        Int(String(decoding: try await client.send(HTTPRequest(method: "GET", url: server.baseURL + "/count")).body, as: UTF8.self))!
    }

    @Test("OpenAI-compatible: raw PCM at the configured rate; errors carry the provider's message")
    func openAI() async throws {
        let server = try fakeProviders()
        let voice = OpenAICompatibleProvider(baseURL: server.baseURL, apiKey: "sk-test", retry: fast)
        let audio = try await voice.synthesize(SpeechRequest(text: "Hello"), client: client)
        #expect(audio.sampleRate == 24_000 && audio.samples.count == 14_400)
        let wrongKey = OpenAICompatibleProvider(baseURL: server.baseURL, apiKey: "nope", retry: fast)
        await #expect(throws: SpeechError.provider(name: "openai:tts-1/alloy", status: 401, message: "Incorrect API key provided")) {
            try await wrongKey.synthesize(SpeechRequest(text: "Hello"), client: client)
        }
    }

    @Test("429 with Retry-After is waited out and retried; 5xx is retried, then reported")
    func retries() async throws {
        let server = try fakeProviders()
        let voice = OpenAICompatibleProvider(baseURL: server.baseURL, apiKey: "sk-test", retry: fast)
        let before = try await count(server)
        let started = Date()
        _ = try await voice.synthesize(SpeechRequest(text: "RATE_LIMIT_ONCE please"), client: client)
        #expect(Date().timeIntervalSince(started) >= 0.9, "Retry-After: 1 was honoured")
        #expect(try await count(server) - before == 2)
        await #expect(throws: SpeechError.provider(name: "openai:tts-1/alloy", status: 503, message: "The service is unavailable")) {
            try await voice.synthesize(SpeechRequest(text: "SERVER_ERROR"), client: client)
        }
        #expect(try await count(server) - before == 5)
    }

    @Test("timeouts, truncated bodies, empty bodies and oversized bodies are errors naming the URL")
    func transportFaults() async throws {
        let server = try fakeProviders()
        let voice = OpenAICompatibleProvider(baseURL: server.baseURL, apiKey: "sk-test", retry: .none)
        do {
            _ = try await voice.synthesize(SpeechRequest(text: "SLOW"), client: client)
            Issue.record("no timeout")
        } catch let error as HTTPClientError {
            #expect(error.isTransient && error.reason.contains("curl error 28"))
            #expect(error.url.hasSuffix("/v1/audio/speech"))
        }
        await #expect(throws: HTTPClientError.self) { try await voice.synthesize(SpeechRequest(text: "TRUNCATE"), client: client) }
        await #expect(throws: SpeechError.provider(name: "openai:tts-1/alloy", status: 200, message: "empty body")) {
            try await voice.synthesize(SpeechRequest(text: "EMPTY"), client: client)
        }
        let small = HTTPClient(configuration: .init(maximumResponseBytes: 1000))
        do {
            _ = try await voice.synthesize(SpeechRequest(text: "Hello"), client: small)
            Issue.record("no size limit")
        } catch let error as HTTPClientError {
            #expect(error.reason == "response larger than 1000 bytes")
        }
    }

    @Test("Google: base64 LINEAR16 in JSON; its error body's message is reported")
    func google() async throws {
        let server = try fakeProviders()
        let voice = GoogleProvider(baseURL: server.baseURL, apiKey: "google-test", sampleRate: 8_000, retry: fast)
        let audio = try await voice.synthesize(SpeechRequest(text: "Hi", ssml: "<speak>Hi</speak>"), client: client)
        #expect(audio.sampleRate == 8_000 && audio.samples.count == 4_800)
        _ = try await voice.synthesize(SpeechRequest(text: "RATE_LIMIT_ONCE"), client: client)
        let bad = GoogleProvider(baseURL: server.baseURL, apiKey: "wrong", retry: fast)
        await #expect(throws: SpeechError.provider(name: "google:en-US-Neural2-D", status: 403, message: "API key not valid. Please pass a valid API key.")) {
            try await bad.synthesize(SpeechRequest(text: "Hi"), client: client)
        }
    }

    @Test("Azure: SSML body with the subscription key; raw PCM at the requested rate")
    func azure() async throws {
        let server = try fakeProviders()
        let voice = AzureProvider(baseURL: server.baseURL, subscriptionKey: "azure-test", sampleRate: 8_000, retry: fast)
        let audio = try await voice.synthesize(SpeechRequest(text: "O'Brien & <Co>"), client: client)
        #expect(audio.sampleRate == 8_000 && audio.samples.count == 4_800)
        let bad = AzureProvider(baseURL: server.baseURL, subscriptionKey: "wrong", retry: fast)
        await #expect(throws: SpeechError.provider(name: "azure:en-US-JennyNeural", status: 401, message: "no body")) {
            try await bad.synthesize(SpeechRequest(text: "Hi"), client: client)
        }
    }

    @Test("ElevenLabs: pcm_16000 and ulaw_8000; its detail message is reported")
    func elevenLabs() async throws {
        let server = try fakeProviders()
        let pcm = try await ElevenLabsProvider(baseURL: server.baseURL, apiKey: "eleven-test", voiceID: "v1", retry: fast)
            .synthesize(SpeechRequest(text: "Hi"), client: client)
        #expect(pcm.sampleRate == 16_000 && pcm.samples.count == 9_600)
        let ulaw = try await ElevenLabsProvider(baseURL: server.baseURL, apiKey: "eleven-test", voiceID: "v1", outputFormat: "ulaw_8000", retry: fast)
            .synthesize(SpeechRequest(text: "Hi"), client: client)
        #expect(ulaw.sampleRate == 8_000 && ulaw.samples.count == 8_000)
        await #expect(throws: SpeechError.provider(name: "elevenlabs:v1", status: 401, message: "Invalid API key")) {
            try await ElevenLabsProvider(baseURL: server.baseURL, apiKey: "nope", voiceID: "v1", retry: fast).synthesize(SpeechRequest(text: "Hi"), client: client)
        }
    }

    func polly(_ server: ChildServer, secret: String = "polly/secret+KEY", token: String? = nil, sampleRate: Int = 16_000) -> PollyProvider {
        PollyProvider(endpoint: server.baseURL, region: "eu-west-1",
                      credentials: AWSCredentials(accessKeyID: "AKIDPOLLYTEST", secretAccessKey: secret, sessionToken: token),
                      voice: "Joanna", sampleRate: sampleRate, retry: fast)
    }

    @Test("Polly: SynthesizeSpeech's JSON, text or SSML, with the rate as a string")
    func pollyRequestBody() throws {
        let voice = PollyProvider(region: "eu-west-1", credentials: AWSCredentials(accessKeyID: "AKIDPOLLYTEST", secretAccessKey: "x"), sampleRate: 8_000)
        let date = Date(timeIntervalSince1970: 1_795_353_109)
        let plain = try voice.signedRequest(SpeechRequest(text: "Hi \"Laura\""), at: date)
        #expect(plain.url == "https://polly.eu-west-1.amazonaws.com/v1/speech")
        #expect(String(decoding: plain.body, as: UTF8.self)
            == #"{"Engine":"neural","OutputFormat":"pcm","SampleRate":"8000","Text":"Hi \"Laura\"","TextType":"text","VoiceId":"Joanna"}"#)
        let ssml = try voice.signedRequest(SpeechRequest(text: "Hi", ssml: "<speak>Hi</speak>"), at: date)
        let json = try JSONSerialization.jsonObject(with: Data(ssml.body)) as? [String: String]
        #expect(json?["Text"] == "<speak>Hi</speak>" && json?["TextType"] == "ssml")
    }

    @Test("Polly: raw PCM at 8,000 and 16,000 Hz, signed so that the server's own SigV4 check passes, SSML included")
    func pollyRates() async throws {
        let server = try fakeProviders()
        let narrow = try await polly(server, sampleRate: 8_000).synthesize(SpeechRequest(text: "Hi Laura"), client: client)
        #expect(narrow.sampleRate == 8_000 && narrow.samples.count == 4_800)
        let wide = try await polly(server).synthesize(SpeechRequest(text: "Hi", ssml: "<speak>Hi <break time='300ms'/> Laura</speak>"), client: client)
        #expect(wide.sampleRate == 16_000 && wide.samples.count == 9_600)
        let temporary = try await polly(server, token: "FwoGZXIvYXdzEXAMPLE//token=").synthesize(SpeechRequest(text: "Hi"), client: client)
        #expect(temporary.samples.count == 9_600)
    }

    @Test("Polly: requests without a signature, or with one from the wrong secret, are refused with Polly's 403 and not retried")
    func pollySignature() async throws {
        let server = try fakeProviders()
        let unsigned = try await client.send(HTTPRequest(url: server.baseURL + "/v1/speech", headers: [("Content-Type", "application/json")],
                                                          body: Array(#"{"OutputFormat":"pcm","Text":"Hi","VoiceId":"Joanna"}"#.utf8)))
        #expect(unsigned.status == 403 && PollyProvider.errorMessage(unsigned) == "MissingAuthenticationTokenException: Missing Authentication Token")
        let signed = try polly(server).signedRequest(SpeechRequest(text: "Hi"), at: Date())
        #expect(signed.headers.contains { $0.name == "X-Amz-Date" && $0.value.count == 16 && $0.value.hasSuffix("Z") })
        let authorization = try #require(signed.headers.first { $0.name == "Authorization" }?.value)
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDPOLLYTEST/"))
        #expect(authorization.contains("/eu-west-1/polly/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="))
        let before = try await count(server)
        await #expect(throws: SpeechError.provider(name: "polly:neural/Joanna", status: 403, message: "InvalidSignatureException: "
            + "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")) {
            try await polly(server, secret: "wrong").synthesize(SpeechRequest(text: "Hi"), client: client)
        }
        #expect(try await count(server) - before == 1)
    }

    @Test("Polly: ThrottlingException (HTTP 400) and 5xx are retried with backoff; a text too long is reported at once with Polly's message")
    func pollyErrors() async throws {
        let server = try fakeProviders()
        let voice = polly(server)
        let before = try await count(server)
        let audio = try await voice.synthesize(SpeechRequest(text: "THROTTLE_ONCE Hi Laura"), client: client)
        #expect(audio.samples.count == 9_600)
        #expect(try await count(server) - before == 2, "throttled once, then served")
        await #expect(throws: SpeechError.provider(name: "polly:neural/Joanna", status: 503, message: "ServiceFailureException: The service is unavailable")) {
            try await voice.synthesize(SpeechRequest(text: "SERVER_ERROR"), client: client)
        }
        #expect(try await count(server) - before == 5, "three tries")
        await #expect(throws: SpeechError.provider(name: "polly:neural/Joanna", status: 400,
                                                   message: "TextLengthExceededException: Maximum text length has been exceeded")) {
            try await voice.synthesize(SpeechRequest(text: String(repeating: "Hi Laura. ", count: 301)), client: client)
        }
        #expect(try await count(server) - before == 6, "not retried")
    }

    @Test("the client counts every request it sends, retries included")
    func requestsSent() async throws {
        let server = try fakeProviders()
        let counted = HTTPClient()
        _ = try await polly(server).synthesize(SpeechRequest(text: "THROTTLE_ONCE count me"), client: counted)
        #expect(counted.requestsSent == 2)
        _ = try await polly(server).synthesize(SpeechRequest(text: "count me too"), client: counted)
        #expect(counted.requestsSent == 3)
    }

    @Test("the same voice and words are synthesized once: the second render makes no HTTP request")
    func cache() async throws {
        let server = try fakeProviders()
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let speaker = MessageSpeaker(voices: [OpenAICompatibleProvider(baseURL: server.baseURL, apiKey: "sk-test", retry: fast)],
                                     soundsFolder: folder, client: client)
        let before = try await count(server)
        let first = try await speaker.render(SpeechRequest(text: "Hi Laura, it's Sam."))
        let second = try await speaker.render(SpeechRequest(text: "Hi Laura, it's Sam."))
        #expect(!first.fromCache && second.fromCache && first.path == second.path && first.samples == second.samples)
        #expect(try await count(server) - before == 1)
        #expect(FileManager.default.fileExists(atPath: first.path + ".sln16") && FileManager.default.fileExists(atPath: first.path + ".ulaw"))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(files.allSatisfy { !$0.contains(".tmp") }, "no temporary file is left: \(files)")
    }

    @Test("audio rendered earlier is playable while its .sln16 is there, and not once it is gone")
    func playable() async throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let speaker = MessageSpeaker(voices: [], soundsFolder: folder, client: client)
        let audio = try await speaker.render(SpeechRequest(text: "Hi Laura, it's Sam."))
        #expect(MessageAudio.isPlayable(atPath: audio.path))
        try FileManager.default.removeItem(atPath: audio.path + ".sln16")
        #expect(!MessageAudio.isPlayable(atPath: audio.path))
    }

    @Test("when every HTTP voice fails, the local engine still speaks the message, and says so")
    func fallback() async throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let unreachable = try ChildServer.freePort()
        let speaker = MessageSpeaker(voices: [OpenAICompatibleProvider(baseURL: "http://127.0.0.1:\(unreachable)", apiKey: "sk-test", retry: .none),
                                              PiperProvider(baseURL: "http://127.0.0.1:\(unreachable)", retry: .none)],
                                     soundsFolder: folder, client: client)
        let audio = try await speaker.render(SpeechRequest(text: "Hi Laura, this is Sam from Ortiz Landscaping."))
        #expect(audio.voice == "espeak-ng:en-us")
        #expect(audio.samples > 16_000, "over a second of speech at 16 kHz")
        let none = MessageSpeaker(voices: [PiperProvider(baseURL: "http://127.0.0.1:\(unreachable)", retry: .none)], localEngine: nil,
                                  soundsFolder: folder, client: client)
        await #expect(throws: SpeechError.self) { try await none.render(SpeechRequest(text: "x")) }
    }
}

@Suite("A voice that is down")
struct VoiceHealthTests {
    private final class Lines: LogHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [(Logger.Level, String)] = []
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lock.withLock { stored.append((event.level, "\(event.message)")) } }
        var all: [(Logger.Level, String)] { lock.withLock { stored } }
    }

    @Test("a voice that fails every message is warned about once, then logged at debug")
    func warnedOnce() async throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lines = Lines()
        let unreachable = try ChildServer.freePort()
        let speaker = MessageSpeaker(voices: [PiperProvider(baseURL: "http://127.0.0.1:\(unreachable)", retry: .none)],
                                     soundsFolder: folder, client: HTTPClient(), logger: Logger(label: "test") { _ in lines })
        for text in ["Hi Laura.", "Hi Bob.", "Hi Carol."] {
            #expect(try await speaker.render(SpeechRequest(text: text)).voice == "espeak-ng:en-us", "the local engine still speaks")
        }
        let failures = lines.all.filter { $0.1.hasPrefix("Voice failed") }
        #expect(failures.map(\.0) == [.warning, .debug, .debug])
    }

    @Test("after the threshold of failures a voice is skipped for the cool-down, then probed once; it closes when it speaks")
    func circuit() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var circuit = VoiceCircuit(threshold: 3, coolDown: 60)
        for second in 0..<2 {
            let allowed = circuit.allows(at: t0 + Double(second))
            #expect(allowed)
            circuit.failed(at: t0 + Double(second))
        }
        #expect(circuit.state == .closed && circuit.failuresInARow == 2)
        let third = circuit.allows(at: t0 + 2)
        #expect(third)
        circuit.failed(at: t0 + 2)
        #expect(circuit.state == .open(since: t0 + 2))
        let duringCoolDown = circuit.allows(at: t0 + 61), afterIt = circuit.allows(at: t0 + 62)
        #expect(!duringCoolDown, "skipped during the cool-down")
        #expect(afterIt, "one probe after it")
        #expect(circuit.state == .probing(since: t0 + 62))
        let second = circuit.allows(at: t0 + 63)
        #expect(!second, "one probe at a time")
        circuit.failed(at: t0 + 63)
        #expect(circuit.state == .open(since: t0 + 63), "a failed probe opens it for another cool-down")
        let early = circuit.allows(at: t0 + 122), due = circuit.allows(at: t0 + 123)
        #expect(!early && due)
        circuit.succeeded()
        let closed = circuit.allows(at: t0 + 124)
        #expect(circuit.state == .closed && circuit.failuresInARow == 0 && closed)
    }

    @Test("a probe that never reports back is replaced after a cool-down of its own")
    func lostProbe() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var circuit = VoiceCircuit(threshold: 1, coolDown: 30)
        circuit.failed(at: t0)
        let probe = circuit.allows(at: t0 + 30), waiting = circuit.allows(at: t0 + 59), replaced = circuit.allows(at: t0 + 60)
        #expect(probe && !waiting && replaced)
    }

    @Test("a speaker skips a voice whose circuit is open, probes it after the cool-down, and exports the state as a gauge")
    func speakerSkipsOpenVoice() async throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lines = Lines()
        let metrics = TestMetrics()
        let now = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let unreachable = try ChildServer.freePort()
        let voice = PiperProvider(baseURL: "http://127.0.0.1:\(unreachable)", retry: .none)
        let speaker = MessageSpeaker(voices: [voice], soundsFolder: folder, client: HTTPClient(),
                                     logger: Logger(label: "test") { _ in lines }, circuit: VoiceCircuit(threshold: 2, coolDown: 60),
                                     clock: { now.withLock { $0 } }, metrics: metrics)
        func attempts() -> Int { lines.all.filter { $0.1.hasPrefix("Voice failed") }.count }
        func gauge() throws -> Double? { try metrics.expectGauge("touchbase_tts_voice_circuit", [("voice", voice.voiceName)]).lastValue }
        for text in ["Hi Laura.", "Hi Bob.", "Hi Carol.", "Hi Dan."] {
            #expect(try await speaker.render(SpeechRequest(text: text)).voice == "espeak-ng:en-us")
        }
        #expect(attempts() == 2, "tried twice, then skipped")
        #expect(try gauge() == 1)
        now.withLock { $0 += 60 }
        _ = try await speaker.render(SpeechRequest(text: "Hi Eve."))
        #expect(attempts() == 3, "one probe after the cool-down")
        #expect(try gauge() == 1, "the failed probe opened it again")
    }
}

@Suite("Piper, the real server")
struct PiperTests {
    @Test("Piper speaks at 22,050 Hz; the message is written as 16 kHz .sln16 and 8 kHz .ulaw, trimmed")
    func realPiper() async throws {
        let server = try piperServer()
        let client = HTTPClient()
        let audio = try await PiperProvider(baseURL: server.baseURL).synthesize(SpeechRequest(text: "Hi Laura, this is Sam."), client: client)
        #expect(audio.sampleRate == 22_050)
        #expect(audio.duration > 0.8 && audio.duration < 5)
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let message = try await MessageSpeaker(voices: [PiperProvider(baseURL: server.baseURL)], soundsFolder: folder, client: client)
            .render(SpeechRequest(text: "I'll call you back tomorrow around noon."))
        #expect(message.voice == "piper:default")
        let sln = try Data(contentsOf: URL(fileURLWithPath: message.path + ".sln16"))
        let ulaw = try Data(contentsOf: URL(fileURLWithPath: message.path + ".ulaw"))
        #expect(sln.count == message.samples * 2)
        #expect(abs(ulaw.count * 2 - message.samples) < 20, "the .ulaw is the same length at 8 kHz")
        // The trim keeps 50 ms before the first loud sample, so speech is under way within 100 ms.
        let first = AudioDecoding.pcm16(Array(sln.prefix(3200))).map { abs(Int($0)) }.max() ?? 0
        #expect(first > 300, "speech starts within the first 100 ms")
    }
}

/// A voice that speaks a tone after a short wait, keeps count of the requests it holds at once,
/// and fails any text with FAIL in it.
final class CountingVoice: SpeechProvider {
    private let state = Mutex((inFlight: 0, peak: 0, calls: 0))
    var voiceName: String { "counting" }
    var peak: Int { state.withLock { $0.peak } }
    var calls: Int { state.withLock { $0.calls } }

    func synthesize(_ request: SpeechRequest, client: HTTPClient) async throws -> PCMAudio {
        state.withLock {
            $0.inFlight += 1
            $0.calls += 1
            $0.peak = max($0.peak, $0.inFlight)
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        try await Task.sleep(for: .milliseconds(30))
        if request.text.contains("FAIL") { throw SpeechError.provider(name: voiceName, status: 500, message: "fails on purpose") }
        return PCMAudio(samples: (0..<4_800).map { Int16(8000 * sin(2 * Double.pi * 440 * Double($0) / 16_000)) }, sampleRate: 16_000)
    }
}

@Suite("Rendering a batch of messages")
struct RenderBatchTests {
    @Test("at most N messages in flight, results in the given order, progress for each, and the second batch all from the cache")
    func boundedOrderedCached() async throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let voice = CountingVoice()
        let batch = RenderBatch(speaker: MessageSpeaker(voices: [voice], localEngine: nil, soundsFolder: folder), maximumInFlight: 3)
        let requests = (0..<12).map { SpeechRequest(text: "Hi contact \($0)" + ($0 == 5 ? ", FAIL" : "")) }
        var progress: [Int] = []
        let first = await batch.render(requests) { done, total in
            #expect(total == 12)
            progress.append(done)
        }
        #expect(progress == Array(1...12))
        #expect((2...3).contains(voice.peak), "never more than 3 at once, and more than one: \(voice.peak)")
        #expect(first.synthesized == 11 && first.fromCache == 0 && first.failed == 1 && first.byVoice == ["counting": 11])
        for (index, result) in first.results.enumerated() where index != 5 {
            #expect(try result.get().path.hasSuffix(MessageSpeaker.cacheName(voice: "counting", request: requests[index])), "result \(index) in place")
        }
        #expect(throws: SpeechError.allVoicesFailed(["counting: counting answered HTTP 500: fails on purpose"])) { try first.results[5].get() }

        let second = await batch.render(requests)
        #expect(second.fromCache == 11 && second.synthesized == 0 && second.failed == 1)
        #expect(voice.calls == 13, "only the failed message was tried again")
    }

    @Test("a cancelled batch starts nothing, and every message fails with CancellationError")
    func cancelled() async {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let voice = CountingVoice()
        let batch = RenderBatch(speaker: MessageSpeaker(voices: [voice], localEngine: nil, soundsFolder: folder))
        let outcome = await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await batch.render([SpeechRequest(text: "one"), SpeechRequest(text: "two")])
        }.value
        #expect(outcome.failed == 2 && voice.calls == 0)
        #expect(outcome.results.allSatisfy { if case .failure(let error) = $0 { error is CancellationError } else { false } })
    }

    @Test("the progress bar shows the count, the percentage, the rate and the time left")
    func progressBar() {
        let bar = ProgressBar(total: 1000, width: 20)
        #expect(bar.line(done: 0, elapsed: .zero) == "[....................]     0/1000    0%  0.0/s  eta --")
        #expect(bar.line(done: 412, elapsed: .seconds(20)) == "[########............]   412/1000   41%  20.6/s  eta 29s")
        #expect(bar.line(done: 10, elapsed: .seconds(10)) == "[....................]    10/1000    1%  1.0/s  eta 16m30s")
        #expect(bar.line(done: 1000, elapsed: .seconds(50)) == "[####################]  1000/1000  100%  20.0/s  eta 0s")
        #expect(bar.line(done: 1200, elapsed: .seconds(50)) == bar.line(done: 1000, elapsed: .seconds(50)), "done is capped at the total")
        #expect(ProgressBar(total: 10_000, width: 4).line(done: 1, elapsed: .seconds(10)) == "[....]      1/10000    0%  0.1/s  eta 27h46m")
        #expect(ProgressBar(total: 0, width: 4).line(done: 0, elapsed: .zero) == "[####]  0/0  100%  0.0/s  eta 0s")
    }
}
