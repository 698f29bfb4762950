import Cadence
import Foundation
import Logging
import Scripts

/// The figures message preparation counts: syntheses, failures, fallbacks.
///
/// A narrow view of the process's metrics, so `Speech` counts without knowing how they are exposed.
public protocol SpeechMetrics: Sendable {
    /// Records one synthesis by a voice and how long it took.
    func synthesized(voice: String, seconds: Double)
    /// Counts a message no voice could speak.
    func synthesisFailed(voice: String)
    /// Counts a message spoken by a fallback voice because the first choice failed.
    func fallbackSpoke()
}

/// Metrics that count nothing, for tools and tests that expose none.
public struct UncountedSpeech: SpeechMetrics {
    /// Creates the metrics.
    public init() {}
    public func synthesized(voice: String, seconds: Double) {}
    public func synthesisFailed(voice: String) {}
    public func fallbackSpoke() {}
}

/// A message ready to be played: its words, the promise they make, and its audio on disk.
public struct PreparedMessage: Sendable, Hashable {
    /// The words, as rendered from the template.
    public var words: RenderedMessage
    /// What the message promises about the next call; `nil` for message 3.
    public var promise: SpokenPromise?
    /// The audio Asterisk plays.
    public var audio: MessageAudio
    /// Where the PBXs and the other nodes fetch its `.sln16` file when this node serves its
    /// sounds folder (`[audio]`); `nil` otherwise.
    public var audioURL: String?
}

/// Turns a contact and the step due into the words of the message and the audio Asterisk plays,
/// with the promise computed for the moment the message will be heard.
public struct MessagePreparation: Sendable {
    /// The templates, read again when their folder changes.
    public var templates: MessageScriptsInForce
    /// The templates in force now.
    public var scripts: MessageScripts { templates.scripts }
    /// The voices and the sounds folder.
    public var speaker: MessageSpeaker
    /// The cadence's rules (the promise comes from them).
    public var policy: CallingPolicy
    /// Where synthesis figures go.
    public var metrics: any SpeechMetrics
    /// Whether this node serves its sounds folder over HTTP (`[audio]`): each message prepared
    /// then carries its URL, so another node's console can fetch and play it.
    public var serving = MessageAudioServing()

    /// Creates a preparation that speaks from `templates`.
    public init(templates: MessageScriptsInForce, speaker: MessageSpeaker, policy: CallingPolicy,
                metrics: any SpeechMetrics = UncountedSpeech()) {
        self.templates = templates
        self.speaker = speaker
        self.policy = policy
        self.metrics = metrics
    }

    /// Creates a preparation whose templates never change.
    public init(scripts: MessageScripts, speaker: MessageSpeaker, policy: CallingPolicy, metrics: any SpeechMetrics = UncountedSpeech()) {
        self.init(templates: MessageScriptsInForce(scripts), speaker: speaker, policy: policy, metrics: metrics)
    }

    /// When the dialer will place a follow-up's next call, seen at `now`: the start of its window,
    /// or now when that has passed. Pre-rendering renders for this moment, so the dialer finds
    /// the same words in the cache.
    public static func dialTime(of state: FollowUpState, now: Date) -> Date {
        max(now, state.nextCall?.start ?? now)
    }

    /// The words of the message `state.step` for a contact, if it were left at `now`, and the
    /// promise they make.
    public func words(for contact: Contact, state: FollowUpState, at now: Date) -> (message: RenderedMessage, promise: SpokenPromise?) {
        let promise = FollowUp.promise(forLeaving: state.step, contact: contact, state: state, now: now, policy: policy)
        let variables = MessageVariables(contactName: contact.name, ownerName: contact.owner.name, company: contact.company,
                                         connection: contact.connection, topic: contact.topic,
                                         callbackNumber: contact.owner.callbackNumber, promise: promise?.phrase ?? "")
        return (scripts.render(state.step, variables, owner: contact.owner.name, campaign: contact.campaign), promise)
    }

    /// Renders the message's audio (from the cache when it was pre-rendered).
    ///
    /// - Throws: ``SpeechError/allVoicesFailed(_:)`` only when every voice, the local engine
    ///   included, failed.
    public func prepare(for contact: Contact, state: FollowUpState, at now: Date) async throws -> PreparedMessage {
        let (message, promise) = words(for: contact, state: state, at: now)
        let started = ContinuousClock.now
        let audio: MessageAudio
        do {
            // An AGI session's task runs on its connection's event loop; resampling and writing
            // a message that was not pre-rendered take milliseconds of CPU and file I/O, which
            // belong on the global executor, not in front of every other call's next command.
            let speaker = self.speaker
            audio = try await withTaskExecutorPreference(globalConcurrentExecutor) {
                try await speaker.render(SpeechRequest(text: message.text, ssml: message.ssml))
            }
        } catch {
            metrics.synthesisFailed(voice: speaker.voices.first?.voiceName ?? speaker.localEngine?.voiceName ?? "none")
            throw error
        }
        if !audio.fromCache {
            let elapsed = ContinuousClock.now - started
            metrics.synthesized(voice: audio.voice, seconds: elapsed / .seconds(1))
            if let first = speaker.voices.first?.voiceName, audio.voice != first { metrics.fallbackSpoke() }
        }
        return PreparedMessage(words: message, promise: promise, audio: audio,
                               audioURL: serving.url(forAudioPath: audio.path, soundsFolder: speaker.soundsFolder))
    }
}
