import AudioSocket
import Greeting
import NIOCore
import Synchronization

/// Judges an answered call's greeting from its audio, frame by frame: the shape of
/// ``GreetingDetector``, so tests can put a scripted judge in its place.
public protocol GreetingJudge: Sendable {
    /// Feeds the next 8 kHz samples and returns the decision so far.
    mutating func consume(_ samples: [Int16]) -> GreetingDecision
}

extension GreetingDetector: GreetingJudge {}

/// How long to listen and how to keep the line open while listening.
public struct VoicemailDropSettings: Sendable, Equatable {
    /// The time between silence frames sent while listening; `nil` sends none. Asterisk ends the
    /// application after 2 s without a frame either way, and some trunks send none in silence.
    public var keepAliveInterval: Duration?
    /// The most callee audio analysed, in 8 kHz samples, before TouchBase gives up deciding and
    /// hangs up with ``GreetingDecision/listening``.
    public var maximumSamplesHeard: Int

    /// Creates settings; the defaults send silence every 500 ms and listen for up to 60 s.
    public init(keepAliveInterval: Duration? = .milliseconds(500), maximumSamplesHeard: Int = 60 * 8_000) {
        self.keepAliveInterval = keepAliveInterval
        self.maximumSamplesHeard = maximumSamplesHeard
    }
}

/// Listens to an answered call's greeting over AudioSocket and, for a machine, leaves the message
/// right after it.
///
/// Feeds the callee's audio to `detector` while keeping the line alive with silence. On
/// ``GreetingDecision/machine(greetingEndedAt:beep:)`` it streams the message at once, paced at
/// 20 ms a frame, counting what it sends, then sends the hangup frame so the dialplan goes on. On
/// ``GreetingDecision/person(decidedAt:)`` or ``GreetingDecision/invalidNumber(decidedAt:)`` it
/// hangs up at once. It keeps reading the callee's side throughout, so a callee who hangs up
/// mid-message stops the message and shows in the outcome. Never throws: every ending is an
/// outcome to record.
///
/// - Parameters:
///   - connection: the call's AudioSocket connection.
///   - detector: the greeting analysis, fresh for this call.
///   - settings: the keep-alive interval and the listening limit.
///   - clock: paces the message and the keep-alive; tests pass one that needs no waiting.
///   - message: fetches the message, 8 kHz signed 16-bit mono; started at once, awaited only for
///     a machine.
/// - Returns: the decision, samples played of the message's total, and how the connection ended.
public func leaveMessageAfterGreeting<Judge: GreetingJudge, C: Clock>(
    on connection: AudioSocketConnection, detector: Judge, settings: VoicemailDropSettings = .init(),
    clock: C, message: @escaping @Sendable () async throws -> [Int16]
) async -> VoicemailDropOutcome where C.Duration == Duration {
    let progress = CallProgress()
    let (phases, phaseSink) = AsyncStream<ListeningPhase>.makeStream()
    let (inputs, inputSink) = AsyncStream<ListenerInput>.makeStream()
    let reader = Task { await forward(connection.inbound, to: inputSink, progress: progress) }
    let judging = Task {
        await judge(inputs, detector: detector, settings: settings, clock: clock, phases: phaseSink, progress: progress)
    }
    let fetch = Task { try await message() }
    let keepAlive = settings.keepAliveInterval.map { interval in
        Task { try? await connection.outbound.keepAlive(every: interval, clock: clock) { inputSink.yield(.tick) } }
    }
    defer {
        reader.cancel()
        judging.cancel()
        fetch.cancel()
    }
    var iterator = phases.makeAsyncIterator()
    let first = await iterator.next() ?? .ended(.connectionDropped("the listener stopped"))
    keepAlive?.cancel()
    await keepAlive?.value

    let decision: GreetingDecision
    let heard: Int
    switch first {
    case .ended(let ending):
        return VoicemailDropOutcome(decision: .listening, samplesHeard: progress.samplesHeard, ending: ending)
    case .decided(let decided, let samplesHeard):
        decision = decided
        heard = samplesHeard
    }
    guard case .machine = decision else {
        return VoicemailDropOutcome(decision: decision, samplesHeard: heard, ending: await hangUp(connection, progress))
    }
    let audio: [Int16]
    do {
        audio = try await fetch.value
    } catch {
        _ = await hangUp(connection, progress)
        return VoicemailDropOutcome(decision: decision, samplesHeard: heard, ending: .messageUnavailable("\(error)"))
    }
    let playback = Task {
        try await connection.outbound.play(audio, clock: clock) { progress.played($0) }
    }
    progress.playing(playback)
    let played = await playback.result
    var outcome = VoicemailDropOutcome(decision: decision, samplesHeard: heard, messageSamplesPlayed: progress.samplesPlayed,
                                       messageSampleCount: audio.count, ending: .hungUp)
    if let ending = progress.ending {
        outcome.ending = ending
    } else if case .failure(let error) = played {
        outcome.ending = .connectionDropped("\(error)")
    } else {
        outcome.ending = await hangUp(connection, progress)
    }
    return outcome
}

/// What the reader tells the call's task.
private enum ListeningPhase: Sendable {
    case decided(GreetingDecision, samplesHeard: Int)
    case ended(VoicemailDropOutcome.Ending)
}

/// What the judging task hears: the callee's audio, a keep-alive tick, or the connection's end.
private enum ListenerInput: Sendable {
    case audio([Int16])
    case tick
    case ended(VoicemailDropOutcome.Ending)
}

/// Reads the callee's side until the connection ends, so a hangup is seen at once even while the
/// message plays; audio is passed on only until the decision.
private func forward(_ inbound: NIOAsyncChannelInboundStream<AudioSocketEvent>,
                     to inputs: AsyncStream<ListenerInput>.Continuation, progress: CallProgress) async {
    let ending: VoicemailDropOutcome.Ending
    do {
        for try await event in inbound {
            if case .hangup = event { break }
            guard !progress.isDecided, case .audio(let samples, .slin8k) = event else { continue }
            inputs.yield(.audio(samples))
        }
        ending = .calleeHungUp
    } catch let error as AudioSocketProtocolError {
        ending = .peerSentGarbage(error)
    } catch {
        ending = .connectionDropped("\(error)")
    }
    progress.ended(ending)
    inputs.yield(.ended(ending))
    inputs.finish()
}

/// Feeds the detector until it decides, the listening limit runs out, or the connection ends.
///
/// A line that sends no frames in silence would leave the detector without the silence that
/// ends a greeting or a person's "Hello?": at each keep-alive tick, time with no audio for a
/// whole interval is fed to it as silence, so its sample count keeps pace with the call.
private func judge<Judge: GreetingJudge, C: Clock>(
    _ inputs: AsyncStream<ListenerInput>, detector: Judge, settings: VoicemailDropSettings, clock: C,
    phases: AsyncStream<ListeningPhase>.Continuation, progress: CallProgress
) async where C.Duration == Duration {
    var detector = detector
    var heard = 0
    var lastAudio = clock.now
    for await input in inputs {
        let samples: [Int16]
        switch input {
        case .ended(let ending):
            phases.yield(.ended(ending))
            phases.finish()
            return
        case .audio(let audio):
            samples = audio
            lastAudio = clock.now
        case .tick:
            let quiet = lastAudio.duration(to: clock.now)
            guard let interval = settings.keepAliveInterval, quiet >= interval else { continue }
            samples = [Int16](repeating: 0, count: Int(quiet / .milliseconds(1) * 8))
            lastAudio = clock.now
        }
        heard += samples.count
        progress.heard(heard)
        let decision = detector.consume(samples)
        if decision.isFinal || heard >= settings.maximumSamplesHeard {
            progress.decided()
            phases.yield(.decided(decision, samplesHeard: heard))
            phases.finish()
            return
        }
    }
}

/// Sends the hangup frame, unless the connection already ended.
private func hangUp(_ connection: AudioSocketConnection, _ progress: CallProgress) async -> VoicemailDropOutcome.Ending {
    if let ending = progress.ending { return ending }
    do {
        try await connection.outbound.hangUp()
        return .hungUp
    } catch {
        return progress.ending ?? .connectionDropped("\(error)")
    }
}

/// What the reader and the player share: samples heard and played, how the connection ended,
/// and the playback to stop when it does.
private final class CallProgress: Sendable {
    private struct State {
        var samplesHeard = 0
        var samplesPlayed = 0
        var ending: VoicemailDropOutcome.Ending?
        var isDecided = false
        var playback: Task<Int, any Error>?
    }

    private let state = Mutex(State())

    var samplesHeard: Int { state.withLock { $0.samplesHeard } }
    var samplesPlayed: Int { state.withLock { $0.samplesPlayed } }
    var ending: VoicemailDropOutcome.Ending? { state.withLock { $0.ending } }
    var isDecided: Bool { state.withLock { $0.isDecided } }

    func decided() { state.withLock { $0.isDecided = true } }

    func heard(_ samples: Int) { state.withLock { $0.samplesHeard = samples } }
    func played(_ samples: Int) { state.withLock { $0.samplesPlayed = samples } }

    /// Registers the playback; stops it at once if the connection already ended.
    func playing(_ task: Task<Int, any Error>) {
        let ended = state.withLock { state in
            state.playback = task
            return state.ending != nil
        }
        if ended { task.cancel() }
    }

    /// Records how the connection ended (the first report wins) and stops the playback.
    func ended(_ ending: VoicemailDropOutcome.Ending) {
        let playback = state.withLock { state in
            if state.ending == nil { state.ending = ending }
            return state.playback
        }
        playback?.cancel()
    }
}
