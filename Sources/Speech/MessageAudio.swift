import Crypto
import Foundation
import CoreMetrics
import Logging

/// A message's audio in the sounds folder, ready for `STREAM FILE`.
public struct MessageAudio: Sendable, Hashable {
    /// The path without extension, as STREAM FILE takes it; `.sln16` and `.ulaw` files exist.
    public var path: String
    /// The length of the `.sln16` file in samples (16,000 a second): STREAM FILE's endpos when
    /// the whole message played.
    public var samples: Int
    /// The voice that spoke it, e.g. `piper:default`, or `espeak-ng` when the fallback spoke.
    public var voice: String
    /// Whether it came from the cache with no synthesis.
    public var fromCache: Bool

    /// Whether audio rendered earlier for `path` is still there for Asterisk to play.
    ///
    /// - Parameter path: a ``path`` as rendered, without extension.
    /// - Returns: whether its `.sln16` exists (written last, it marks both files complete).
    public static func isPlayable(atPath path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + ".sln16")
    }
}

/// The local engine that speaks when every HTTP voice has failed, so a message is still left.
public struct LocalSpeechEngine: Sendable {
    /// The espeak-ng executable.
    public var executable: String
    /// The espeak-ng voice, e.g. `en-us`.
    public var voice: String

    /// Creates the local engine.
    public init(executable: String = "/usr/bin/espeak-ng", voice: String = "en-us") {
        self.executable = executable
        self.voice = voice
    }

    /// The name in the call log.
    public var voiceName: String { "espeak-ng:\(voice)" }

    /// Speaks text; the text goes in on stdin, never as a command-line argument.
    public func synthesize(_ text: String) async throws -> PCMAudio {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = ["--stdout", "-v", voice, "--stdin"]
                    let input = Pipe(), output = Pipe()
                    process.standardInput = input
                    process.standardOutput = output
                    process.standardError = FileHandle.nullDevice
                    do { try process.run() } catch {
                        throw SpeechError.file(path: executable, reason: "cannot run the local speech engine: \(error.localizedDescription)")
                    }
                    input.fileHandleForWriting.write(Data(text.utf8))
                    try? input.fileHandleForWriting.close()
                    let wav = output.fileHandleForReading.readDataToEndOfFile()
                    // Reaped directly: Foundation's waitUntilExit needs a run loop this thread lacks.
                    var status: Int32 = 0
                    _ = waitpid(process.processIdentifier, &status, 0)
                    guard status == 0 else {
                        throw SpeechError.file(path: executable, reason: "the local speech engine failed (wait status \(status))")
                    }
                    return try AudioDecoding.wav(Array(wav))
                })
            }
        }
    }
}

/// Turns a message's words into audio files Asterisk plays, trying each voice in turn.
///
/// The chain: the primary HTTP voice, then a second one if configured, then the local engine,
/// so that a TTS failure still ends in a message left. Audio is resampled to 16 kHz (Asterisk
/// plays `.sln16` natively; Piper's 22,050 Hz is not a rate it plays), its leading silence
/// trimmed so the words start right after the beep, brought to a set loudness, and written as
/// `NAME.sln16` and `NAME.ulaw` under a temporary name, then renamed into place.
///
/// The folder is a content-addressed cache: the file name is the SHA-256 of the voice and the
/// words, so the same message is synthesized once.
public struct MessageSpeaker: Sendable {
    /// Each voice's circuit breaker; shared by copies of the speaker.
    private let circuits: VoiceCircuits
    /// The clock the circuit breakers read.
    private let clock: @Sendable () -> Date
    public var voices: [any SpeechProvider]
    public var localEngine: LocalSpeechEngine?
    public var soundsFolder: String
    public var client: HTTPClient
    public var logger: Logger

    /// Creates a speaker.
    ///
    /// - Parameters:
    ///   - voices: the HTTP voices, first choice first.
    ///   - localEngine: the last resort; `nil` to have none.
    ///   - soundsFolder: a folder Asterisk reads, e.g. `/var/lib/asterisk/sounds/touchbase`.
    ///   - client: the HTTP client.
    ///   - circuit: each HTTP voice's circuit breaker as it starts: after its `threshold` failures
    ///     in a row the voice is skipped for `coolDown`, then probed with one message.
    ///   - clock: the time the breakers read; tests pass their own.
    ///   - metrics: where the breakers' states go (the gauge `touchbase_tts_voice_circuit`).
    public init(voices: [any SpeechProvider], localEngine: LocalSpeechEngine? = LocalSpeechEngine(), soundsFolder: String,
                client: HTTPClient = HTTPClient(), logger: Logger = Logger(label: "touchbase.speech"),
                circuit: VoiceCircuit = VoiceCircuit(), clock: @escaping @Sendable () -> Date = Date.init,
                metrics: any MetricsFactory = MetricsSystem.factory) {
        circuits = VoiceCircuits(template: circuit, metrics: metrics)
        self.clock = clock
        self.voices = voices
        self.localEngine = localEngine
        self.soundsFolder = soundsFolder
        self.client = client
        self.logger = logger
    }

    /// The cache key for a voice and request.
    static func cacheName(voice: String, request: SpeechRequest) -> String {
        "tb-" + SHA256.hex(Array("\(voice)\u{0}\(request.text)\u{0}\(request.ssml ?? "")".utf8)).prefix(32)
    }

    /// Renders a message, from the cache when the first voice that would speak it already has.
    public func render(_ request: SpeechRequest) async throws -> MessageAudio {
        var failures: [String] = []
        for voice in voices {
            if let cached = cached(voice: voice.voiceName, request: request) { return cached }
            guard circuits.allows(voice.voiceName, at: clock()) else {
                failures.append("\(voice.voiceName): skipped while its circuit is open")
                continue
            }
            do {
                let audio = try await voice.synthesize(request, client: client)
                let message = try write(audio, voice: voice.voiceName, request: request)
                let failuresBefore = circuits.spoke(voice.voiceName)
                if failuresBefore > 0 {
                    logger.notice("Voice speaks again", metadata: ["voice": "\(voice.voiceName)", "failures": "\(failuresBefore)"])
                }
                return message
            } catch {
                // A voice that is down fails every message: say so once, then quietly until it speaks again.
                let inARow = circuits.failed(voice.voiceName, at: clock())
                if inARow == 1 {
                    logger.warning("Voice failed; trying the next (its further failures are logged at debug until it speaks again)",
                                   metadata: ["voice": "\(voice.voiceName)", "error": "\(error)"])
                } else {
                    logger.debug("Voice failed again; trying the next", metadata: ["voice": "\(voice.voiceName)", "error": "\(error)"])
                }
                if case .open = circuits.state(of: voice.voiceName) {
                    logger.warning("Voice skipped until its cool-down ends; then one message probes it", metadata: [
                        "voice": "\(voice.voiceName)", "failures": "\(inARow)", "seconds": "\(Int(circuits.coolDown))",
                    ])
                }
                failures.append("\(voice.voiceName): \(error)")
            }
        }
        if let localEngine {
            if let cached = cached(voice: localEngine.voiceName, request: request) { return cached }
            do {
                let audio = try await localEngine.synthesize(request.text)
                return try write(audio, voice: localEngine.voiceName, request: request)
            } catch {
                failures.append("\(localEngine.voiceName): \(error)")
            }
        }
        throw SpeechError.allVoicesFailed(failures)
    }

    private func cached(voice: String, request: SpeechRequest) -> MessageAudio? {
        let path = (soundsFolder as NSString).appendingPathComponent(Self.cacheName(voice: voice, request: request))
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path + ".sln16"),
              let size = attributes[.size] as? Int, size > 0,
              FileManager.default.fileExists(atPath: path + ".ulaw") else { return nil }
        return MessageAudio(path: path, samples: size / 2, voice: voice, fromCache: true)
    }

    private func write(_ audio: PCMAudio, voice: String, request: SpeechRequest) throws -> MessageAudio {
        guard audio.samples.count > audio.sampleRate / 10 else {
            throw SpeechError.badAudio("\(voice) returned \(audio.samples.count) samples, too short to be speech")
        }
        let wide = try audio.resampled(to: 16_000).trimmingLeadingSilence().normalized()
        let narrow = try wide.resampled(to: 8_000)
        try FileManager.default.createDirectory(atPath: soundsFolder, withIntermediateDirectories: true)
        let path = (soundsFolder as NSString).appendingPathComponent(Self.cacheName(voice: voice, request: request))
        let sln = wide.pcm16Bytes
        // The .ulaw first: the .sln16 is the cache's mark that both are complete.
        try Self.writeAtomically(narrow.samples.map(MuLaw.encode), to: path + ".ulaw")
        try Self.writeAtomically(sln, to: path + ".sln16")
        return MessageAudio(path: path, samples: wide.samples.count, voice: voice, fromCache: false)
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw SpeechError.file(path: temporary, reason: "cannot be written")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw SpeechError.file(path: path, reason: "cannot be renamed into place: \(String(cString: strerror(errno)))")
        }
    }
}
