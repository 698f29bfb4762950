import NIOCore
import struct Foundation.UUID

/// One call's AudioSocket connection, handed to the server's handler once the UUID is known.
///
/// ``inbound`` yields the callee's audio, DTMF and errors, and ends when Asterisk closes the
/// connection: the callee hung up, or the application ended. It throws
/// ``AudioSocketProtocolError`` when the peer sent garbage (the connection is closed then).
/// ``outbound`` sends audio paced in real time and the hangup frame that ends the application.
///
/// Keep reading ``inbound`` for as long as the call matters: it is how a hangup is learnt, and
/// unread frames hold the connection's reads back.
public struct AudioSocketConnection: Sendable {
    /// The call's identifier: the UUID given to `AudioSocket(uuid,host:port)`.
    public let callID: UUID
    /// What the peer sends, from the first frame after the UUID; ends when the peer closes.
    public let inbound: NIOAsyncChannelInboundStream<AudioSocketEvent>
    /// What TouchBase sends.
    public let outbound: AudioSocketOutbound

    /// Wraps a connection's two directions.
    ///
    /// - Parameters:
    ///   - callID: the UUID the peer sent.
    ///   - inbound: the events after the UUID (tests make one with `makeTestingStream()`).
    ///   - outbound: where frames are written (tests make one with `makeTestingWriter()`).
    public init(callID: UUID, inbound: NIOAsyncChannelInboundStream<AudioSocketEvent>,
                outbound: NIOAsyncChannelOutboundWriter<AudioSocketFrame>) {
        self.callID = callID
        self.inbound = inbound
        self.outbound = AudioSocketOutbound(writer: outbound)
    }
}

/// The sending side of an AudioSocket connection: audio paced in real time, silence to keep the
/// application alive, and the hangup frame that ends it with 0 so the dialplan goes on.
///
/// Asterisk writes each audio frame to the channel the moment it arrives, so the pacing is the
/// sender's: frames sent faster than real time are played garbled. Asterisk also ends the
/// application after two seconds without a frame either way; ``keepAlive(every:clock:)`` sends
/// silence while nothing else is sent.
public struct AudioSocketOutbound: Sendable {
    /// Samples in one 20 ms frame at 8 kHz (320 bytes).
    public static let samplesPerFrame = 160
    /// The time one frame plays for.
    public static let frameDuration = Duration.milliseconds(20)
    /// How late the sender may fall (a stalled write) before pacing starts afresh from now
    /// rather than catching up with a burst Asterisk would play garbled.
    public static let maximumLag = Duration.milliseconds(100)

    private let writer: NIOAsyncChannelOutboundWriter<AudioSocketFrame>
    private let silence = AudioSocketFrame.audio(samples: repeatElement(Int16(0), count: samplesPerFrame))

    /// Wraps a channel's writer.
    public init(writer: NIOAsyncChannelOutboundWriter<AudioSocketFrame>) {
        self.writer = writer
    }

    /// Writes one frame now, unpaced.
    public func write(_ frame: AudioSocketFrame) async throws {
        try await writer.write(frame)
    }

    /// Sends the hangup frame (`00 00 00`): Asterisk ends the application with 0 and the dialplan
    /// goes on to its next priority.
    public func hangUp() async throws {
        try await writer.write(.hangup)
    }

    /// Sends 8 kHz samples as 20 ms frames, one every 20 ms of `clock`, the last padded with
    /// silence, and returns once the last frame has had its 20 ms.
    ///
    /// Frame *n* is due at start + *n* × 20 ms, so pacing does not drift with the time writes take.
    /// If a write stalls past ``maximumLag``, pacing starts afresh from the late frame.
    ///
    /// - Parameters:
    ///   - samples: the message, 16-bit 8 kHz mono.
    ///   - clock: the clock that paces; tests pass one that needs no waiting.
    ///   - progress: called after each frame with the message's samples sent so far.
    /// - Returns: the message's samples sent (padding not counted).
    /// - Throws: `CancellationError` when the task is cancelled, or the channel's write error.
    @discardableResult
    public func play<C: Clock>(_ samples: [Int16], clock: C, progress: (Int) -> Void = { _ in }) async throws -> Int
    where C.Duration == Duration {
        var start = clock.now
        var sent = 0
        var index = 0
        while sent < samples.count {
            let due = start.advanced(by: Self.frameDuration * index)
            if due.duration(to: clock.now) > Self.maximumLag {
                start = clock.now.advanced(by: Self.frameDuration * -index)
            } else {
                try await clock.sleep(until: due, tolerance: nil)
            }
            let end = min(sent + Self.samplesPerFrame, samples.count)
            var frame = Array(samples[sent..<end])
            frame.append(contentsOf: repeatElement(0, count: Self.samplesPerFrame - frame.count))
            try await writer.write(.audio(samples: frame))
            sent = end
            index += 1
            progress(sent)
        }
        try await clock.sleep(until: start.advanced(by: Self.frameDuration * index), tolerance: nil)
        return sent
    }

    /// Sends a 20 ms frame of silence now and every `interval` after, until the task is cancelled.
    ///
    /// Keeps the application alive on a line that sends no frames in silence: Asterisk ends it
    /// after two seconds without a frame either way.
    ///
    /// - Parameters:
    ///   - interval: the time between frames; default 500 ms, well inside Asterisk's 2 s.
    ///   - clock: the clock that spaces them.
    ///   - afterEach: called after each interval, e.g. to note that time passed on a quiet line.
    /// - Throws: the channel's write error; returns quietly when cancelled.
    public func keepAlive<C: Clock>(every interval: Duration = .milliseconds(500), clock: C,
                                    afterEach: @Sendable () -> Void = {}) async throws
    where C.Duration == Duration {
        do {
            while !Task.isCancelled {
                try await writer.write(silence)
                try await clock.sleep(for: interval)
                afterEach()
            }
        } catch is CancellationError {
            return
        }
    }
}
