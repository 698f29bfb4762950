import NIOCore
import struct Foundation.UUID

/// Runs an ``AudioSocketSessionStateMachine`` in a connection's pipeline, after the frame decoder
/// and before the encoder: it turns frames into ``AudioSocketEvent`` values, completes ``callID``
/// when the UUID frame arrives, and closes the connection when the peer breaks the protocol.
///
/// A decoding error (garbage from the peer) fails ``callID`` if it is still pending, travels on
/// to the handler's inbound sequence as a typed ``AudioSocketProtocolError``, and closes the
/// connection: one bad peer never touches another connection or the server.
public final class AudioSocketSessionHandler: ChannelDuplexHandler {
    public typealias InboundIn = AudioSocketFrame
    public typealias InboundOut = AudioSocketEvent
    public typealias OutboundIn = AudioSocketFrame
    public typealias OutboundOut = AudioSocketFrame

    private var machine = AudioSocketSessionStateMachine()
    private let callIDPromise: EventLoopPromise<UUID>
    private var callIDSettled = false

    /// The call's UUID, once the peer has sent it; fails if the peer closes or breaks the
    /// protocol first.
    public var callID: EventLoopFuture<UUID> { callIDPromise.futureResult }

    /// Creates the handler for one connection on `eventLoop`.
    public init(eventLoop: any EventLoop) {
        self.callIDPromise = eventLoop.makePromise(of: UUID.self)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch machine.received(unwrapInboundIn(data)) {
        case .start(let id):
            settleCallID(.success(id))
        case .deliver(let event):
            context.fireChannelRead(wrapInboundOut(event))
        case .ignore:
            break
        case .fail(let error):
            fail(error, context: context)
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .hangup = unwrapOutboundIn(data) { machine.sendingHangup() }
        context.write(data, promise: promise)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if let error = machine.closed() { settleCallID(.failure(error)) }
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        settleCallID(.failure(machine.closed() ?? ChannelError.ioOnClosedChannel))
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        settleCallID(.failure(error))
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func settleCallID(_ result: Result<UUID, any Error>) {
        guard !callIDSettled else { return }
        callIDSettled = true
        callIDPromise.completeWith(result)
    }
}
