import NIOCore

/// The end of a FastAGI connection's pipeline: hands decoded frames to the session's task and
/// writes its command lines, both on the connection's event loop.
///
/// The session's task runs on that same event loop (``EventLoopTaskExecutor``), so a frame that
/// arrives resumes the waiting task with one enqueue on the loop, and a command is written with
/// no hop at all. Asterisk sends one answer per command and never more than a `HANGUP` line
/// unasked, so only a few frames are ever held; a peer that sends more is cut off.
final class AGIConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = AGIInbound

    /// Frames held before the peer counts as flooding.
    static let maximumHeldFrames = 64

    private var held: CircularBuffer<AGIInbound> = CircularBuffer(initialCapacity: 4)
    private var waiter: CheckedContinuation<AGIInbound?, any Error>?
    private var ended: (any Error)?
    private var isInactive = false
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: frame)
            return
        }
        guard held.count < Self.maximumHeldFrames else {
            context.close(promise: nil)
            return
        }
        held.append(frame)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isInactive = true
        finish(nil)
        context.fireChannelInactive()
    }

    private func finish(_ error: (any Error)?) {
        if ended == nil, let error { ended = error }
        guard let waiter else { return }
        self.waiter = nil
        if let error = ended { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
    }

    /// The next frame, waiting for it if none is held; `nil` once the connection has closed.
    /// Must be called on the channel's event loop.
    func next() async throws -> AGIInbound? {
        if let frame = held.popFirst() { return frame }
        if let ended { throw ended }
        if isInactive { return nil }
        return try await withCheckedThrowingContinuation { continuation in
            self.waiter = continuation
        }
    }

    /// Writes and flushes one command line. Must be called on the channel's event loop.
    func write(line: String) throws {
        guard let context, !isInactive else { throw ChannelError.ioOnClosedChannel }
        var buffer = context.channel.allocator.buffer(capacity: line.utf8.count + 1)
        buffer.writeString(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        context.writeAndFlush(NIOAny(buffer), promise: nil)
    }
}

/// One accepted FastAGI connection, handed from the accepting channel to the session's task.
///
/// The handler is only ever touched on `channel.eventLoop`: the session task runs there.
struct FastAGIConnection: @unchecked Sendable {
    let channel: any Channel
    let handler: AGIConnectionHandler
}

/// ``AGITransport`` over an ``AGIConnectionHandler``.
struct HandlerAGITransport: AGITransport {
    let connection: FastAGIConnection

    mutating func write(line: String) async throws {
        connection.channel.eventLoop.preconditionInEventLoop()
        try connection.handler.write(line: line)
    }

    mutating func next() async throws -> AGIInbound? {
        try await connection.handler.next()
    }
}
