import CoreMetrics
import Foundation
import Synchronization

/// A circuit breaker for one voice: after `threshold` failures in a row the voice is skipped for
/// `coolDown`, then one message is let through as a probe; a success closes the circuit, a
/// failure opens it for another cool-down.
///
/// Pure: every decision takes the time as a parameter.
public struct VoiceCircuit: Sendable, Hashable {
    /// Where the circuit stands.
    public enum State: Sendable, Hashable {
        /// The voice is tried for every message.
        case closed
        /// The voice is skipped until the cool-down that started at `since` has passed.
        case open(since: Date)
        /// One probe is under way since `since`; other messages skip the voice meanwhile.
        case probing(since: Date)

        /// The value the `touchbase_tts_voice_circuit` gauge shows: 0 closed, 1 open, 2 probing.
        public var gaugeValue: Double {
            switch self {
            case .closed: return 0
            case .open: return 1
            case .probing: return 2
            }
        }
    }

    /// Failures in a row that open the circuit.
    public var threshold: Int
    /// How long an open circuit skips the voice.
    public var coolDown: TimeInterval
    /// Where the circuit stands.
    public private(set) var state = State.closed
    /// Failures since the voice last spoke.
    public private(set) var failuresInARow = 0

    /// Creates a closed circuit.
    public init(threshold: Int = 3, coolDown: TimeInterval = 60) {
        self.threshold = max(1, threshold)
        self.coolDown = coolDown
    }

    /// Whether the voice may be tried at `now`; an open circuit past its cool-down lets this
    /// one attempt through as the probe. A probe that never reported back is replaced after a
    /// cool-down of its own.
    public mutating func allows(at now: Date) -> Bool {
        switch state {
        case .closed:
            return true
        case .open(let since), .probing(let since):
            guard now.timeIntervalSince(since) >= coolDown else { return false }
            state = .probing(since: now)
            return true
        }
    }

    /// Records that the voice spoke: the circuit closes.
    public mutating func succeeded() {
        state = .closed
        failuresInARow = 0
    }

    /// Records that the voice failed at `now`: a failed probe, or the threshold reached, opens
    /// the circuit.
    public mutating func failed(at now: Date) {
        failuresInARow += 1
        switch state {
        case .probing: state = .open(since: now)
        case .closed where failuresInARow >= threshold: state = .open(since: now)
        case .closed, .open: break
        }
    }
}

/// The circuits of every voice a speaker uses, shared by copies of the speaker, each exported as
/// the gauge `touchbase_tts_voice_circuit{voice}` (0 closed, 1 open, 2 probing).
final class VoiceCircuits: Sendable {
    private let circuits = Mutex<[String: VoiceCircuit]>([:])
    private let template: VoiceCircuit
    private let metrics: any MetricsFactory
    /// How long an open circuit skips its voice.
    var coolDown: TimeInterval { template.coolDown }

    init(template: VoiceCircuit, metrics: any MetricsFactory) {
        self.template = template
        self.metrics = metrics
    }

    /// Whether `voice` may be tried at `now`.
    func allows(_ voice: String, at now: Date) -> Bool {
        update(voice) { $0.allows(at: now) }
    }

    /// Records a failure; returns the failures in a row, this one included.
    func failed(_ voice: String, at now: Date) -> Int {
        update(voice) { circuit in
            circuit.failed(at: now)
            return circuit.failuresInARow
        }
    }

    /// Records a message spoken; returns the failures the voice had in a row before it.
    func spoke(_ voice: String) -> Int {
        update(voice) { circuit in
            let before = circuit.failuresInARow
            circuit.succeeded()
            return before
        }
    }

    /// The state of a voice's circuit.
    func state(of voice: String) -> VoiceCircuit.State {
        circuits.withLock { $0[voice]?.state ?? .closed }
    }

    private func update<T>(_ voice: String, _ body: (inout VoiceCircuit) -> T) -> T {
        let (result, state) = circuits.withLock { all in
            var circuit = all[voice] ?? template
            let result = body(&circuit)
            all[voice] = circuit
            return (result, circuit.state)
        }
        Gauge(label: "touchbase_tts_voice_circuit", dimensions: [("voice", voice)], factory: metrics).record(state.gaugeValue)
        return result
    }
}
