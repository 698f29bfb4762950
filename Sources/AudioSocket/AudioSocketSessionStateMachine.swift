import struct Foundation.UUID

/// What an AudioSocket connection delivers to its handler once the call's UUID is known.
public enum AudioSocketEvent: Sendable, Hashable {
    /// The callee's audio: 16-bit mono samples at `rate` (8 kHz from `AudioSocket()`). A frame
    /// holds any number of samples: usually 160 (20 ms), but not always.
    case audio(samples: [Int16], rate: AudioSocketSampleRate)
    /// A DTMF digit the callee pressed.
    case dtmf(Character)
    /// Asterisk reported an error on its side, with its code if it sent one.
    case error(AudioSocketErrorCode?)
    /// The peer sent a hangup frame. Asterisk itself never does: it closes the connection, which
    /// ends the inbound sequence.
    case hangup
}

/// The life of one AudioSocket connection, pure: awaiting the UUID frame, streaming, ended.
///
/// Each frame read and each frame about to be written goes through it; it answers what the I/O
/// layer must do. It never touches a channel, so every transition is tested with plain values.
public struct AudioSocketSessionStateMachine: Sendable, Hashable {
    /// Where the session is.
    public enum State: Sendable, Hashable {
        /// Connected; the first frame must be the UUID.
        case awaitingUUID
        /// The call's UUID is known; audio flows both ways.
        case streaming(UUID)
        /// A hangup frame went one way or the other, or the connection closed.
        case ended
    }

    /// What the I/O layer does with a frame it read.
    public enum Action: Sendable, Hashable {
        /// The call's UUID arrived: hand the connection to its handler.
        case start(UUID)
        /// Pass this event to the handler.
        case deliver(AudioSocketEvent)
        /// Drop the frame: it was in flight when the session ended.
        case ignore
        /// Close the connection: the peer broke the protocol.
        case fail(AudioSocketProtocolError)
    }

    /// Where the session is now.
    public private(set) var state: State = .awaitingUUID

    /// Creates a session awaiting its UUID frame.
    public init() {}

    /// Takes a frame read from the peer.
    ///
    /// - Parameter frame: the decoded frame.
    /// - Returns: what to do with it.
    public mutating func received(_ frame: AudioSocketFrame) -> Action {
        switch (state, frame) {
        case (.awaitingUUID, .uuid(let id)):
            state = .streaming(id)
            return .start(id)
        case (.awaitingUUID, _):
            state = .ended
            return .fail(.unexpectedFrame(kind: frame.kind, during: "before the UUID frame"))
        case (.streaming, .uuid):
            state = .ended
            return .fail(.unexpectedFrame(kind: frame.kind, during: "after the UUID was given"))
        case (.streaming, .audio(let payload, let rate)):
            return .deliver(.audio(samples: AudioSocketFrame.samples(of: payload), rate: rate))
        case (.streaming, .dtmf(let digit)):
            return .deliver(.dtmf(digit))
        case (.streaming, .error(let code)):
            return .deliver(.error(code))
        case (.streaming, .hangup):
            state = .ended
            return .deliver(.hangup)
        case (.ended, _):
            return .ignore
        }
    }

    /// Notes that a hangup frame is being sent: whatever arrives after it is dropped.
    public mutating func sendingHangup() {
        state = .ended
    }

    /// Takes the connection's close.
    ///
    /// - Returns: the error to report when the peer left before it sent its UUID, else `nil`.
    public mutating func closed() -> AudioSocketProtocolError? {
        defer { state = .ended }
        return state == .awaitingUUID ? .closedBeforeUUID : nil
    }
}
