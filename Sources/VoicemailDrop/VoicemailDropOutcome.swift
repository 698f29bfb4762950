import AudioSocket
import Greeting

/// What happened on an answered call's AudioSocket: what the greeting analysis decided, how much
/// of the message played, and how the connection ended. Everything the store needs to record the
/// attempt, and nothing of the store itself.
public struct VoicemailDropOutcome: Sendable, Equatable {
    /// How the AudioSocket connection ended.
    public enum Ending: Sendable, Equatable {
        /// TouchBase sent the hangup frame: the application returned 0 and the dialplan went on
        /// to its next priority (the `answered` route).
        case hungUp
        /// Asterisk closed the connection first: the callee hung up. The dialplan does not go
        /// on, so this outcome is the only record of the call.
        case calleeHungUp
        /// The connection failed (a write or read error: TouchBase restarting, a network fault).
        case connectionDropped(String)
        /// The peer sent bytes that are not AudioSocket; the connection was closed.
        case peerSentGarbage(AudioSocketProtocolError)
        /// The message's audio could not be had; TouchBase hung up without playing it.
        case messageUnavailable(String)
    }

    /// The analysis's decision; ``GreetingDecision/listening`` if the call ended first or the
    /// listening limit ran out.
    public var decision: GreetingDecision
    /// Samples of the callee's audio analysed (8 kHz).
    public var samplesHeard: Int
    /// Samples of the message sent to Asterisk, paced in real time.
    public var messageSamplesPlayed: Int
    /// Samples in the whole message (0 when no message was due).
    public var messageSampleCount: Int
    /// How the connection ended.
    public var ending: Ending

    /// Creates an outcome.
    public init(decision: GreetingDecision, samplesHeard: Int, messageSamplesPlayed: Int = 0,
                messageSampleCount: Int = 0, ending: Ending) {
        self.decision = decision
        self.samplesHeard = samplesHeard
        self.messageSamplesPlayed = messageSamplesPlayed
        self.messageSampleCount = messageSampleCount
        self.ending = ending
    }

    /// Whether a machine answered and the whole message was sent.
    public var messageLeftWhole: Bool {
        guard case .machine = decision else { return false }
        return messageSampleCount > 0 && messageSamplesPlayed == messageSampleCount
    }

    /// Whether a machine answered and the message stopped before its end (callee hung up,
    /// connection dropped, garbage): a message cut short, to be tried again.
    public var messageCutShort: Bool {
        guard case .machine = decision else { return false }
        return !messageLeftWhole
    }
}
