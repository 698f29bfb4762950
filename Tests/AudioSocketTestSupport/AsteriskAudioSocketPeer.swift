import AudioSocket
import NIOCore
import struct Foundation.UUID

/// Asterisk's side of one AudioSocket connection on testing streams: it sends the callee's
/// events, collects the frames TouchBase sends, and closes the connection when `closeWhen` says
/// (by default right after TouchBase's hangup frame, as Asterisk does).
public struct AsteriskAudioSocketPeer: Sendable {
    /// The callee's side, sent at once (the handler reads them at its own pace).
    public var events: [AudioSocketEvent]
    /// Whether Asterisk closes right after the last event, as when the callee hangs up.
    public var closeAfterEvents: Bool
    /// Given the frames sent so far, whether Asterisk closes now: `.some(nil)` closes cleanly,
    /// `.some(error)` makes reading fail with `error` (garbage, a dropped connection).
    public var closeWhen: @Sendable ([AudioSocketFrame]) -> (any Error)??

    /// Creates a peer.
    public init(events: [AudioSocketEvent], closeAfterEvents: Bool = false,
                closeWhen: @escaping @Sendable ([AudioSocketFrame]) -> (any Error)?? = { $0.last == .hangup ? .some(nil) : nil }) {
        self.events = events
        self.closeAfterEvents = closeAfterEvents
        self.closeWhen = closeWhen
    }

    /// Runs `handler` on a connection carrying `callID` and returns the frames it sent.
    public func connect(callID: UUID, _ handler: @escaping @Sendable (AudioSocketConnection) async -> Void) async -> [AudioSocketFrame] {
        let (inbound, source) = NIOAsyncChannelInboundStream<AudioSocketEvent>.makeTestingStream()
        let (writer, sink) = NIOAsyncChannelOutboundWriter<AudioSocketFrame>.makeTestingWriter()
        for event in events { source.yield(event) }
        if closeAfterEvents { source.finish() }
        let handling = Task {
            await handler(AudioSocketConnection(callID: callID, inbound: inbound, outbound: writer))
            writer.finish()
        }
        var frames: [AudioSocketFrame] = []
        var closed = closeAfterEvents
        for await frame in sink {
            frames.append(frame)
            guard !closed, let close = closeWhen(frames) else { continue }
            closed = true
            if let error = close { source.finish(throwing: error) } else { source.finish() }
        }
        if !closed { source.finish() }
        await handling.value
        return frames
    }
}
