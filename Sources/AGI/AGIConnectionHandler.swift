import Logging
import NIOCore

/// The whole pipeline of a FastAGI connection: decodes the bytes Asterisk sends into frames,
/// hands them to the session's task, writes its command lines, and closes a connection that
/// misses its deadlines, all on the connection's event loop.
///
/// One handler rather than a chain (decoder, deadlines, session end): a frame then never
/// travels through the pipeline as a type-erased `NIOAny`, which cost more per answer than
/// decoding it. The decoding itself is ``AGIInboundDecoder``, pure and tested on its own.
///
/// The session's task runs on this same event loop (``EventLoopTaskExecutor``), so a frame that
/// arrives resumes the waiting task with one enqueue on the loop, and a command is written with
/// no hop at all. Asterisk sends one answer per command and never more than a `HANGUP` line
/// unasked, so only a few frames are ever held; a peer that sends more is cut off.
final class AGIConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// Frames held before the peer counts as flooding.
    static let maximumHeldFrames = 64

    private var decoder: AGIInboundDecoder
    /// Bytes of a line not complete yet.
    private var partial: ByteBuffer?
    private var held: CircularBuffer<AGIInbound> = CircularBuffer(initialCapacity: 4)
    private var waiter: UnsafeContinuation<AGIInbound?, any Error>?
    private var ended: (any Error)?
    private var isInactive = false
    private var context: ChannelHandlerContext?

    private let environmentTimeout: TimeAmount
    private let sessionTimeout: TimeAmount
    private let logger: Logger
    private var environmentDeadline: Scheduled<Void>?
    private var sessionDeadline: Scheduled<Void>?

    /// Creates the handler for one connection.
    ///
    /// - Parameters:
    ///   - decoder: the decoder, with the server's line and environment bounds.
    ///   - environmentTimeout: how long the peer may take to send its environment.
    ///   - sessionTimeout: how long the session may last.
    ///   - logger: where a deadline's close is logged.
    init(decoder: AGIInboundDecoder, environmentTimeout: TimeAmount, sessionTimeout: TimeAmount, logger: Logger) {
        self.decoder = decoder
        self.environmentTimeout = environmentTimeout
        self.sessionTimeout = sessionTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let loop = context.eventLoop.assumeIsolated()
        let channel = context.channel
        let logger = self.logger
        environmentDeadline = loop.scheduleTask(in: environmentTimeout) {
            logger.info("Closing FastAGI connection that sent no environment in time")
            channel.close(promise: nil)
        }
        sessionDeadline = loop.scheduleTask(in: sessionTimeout) {
            logger.warning("Closing FastAGI session that ran past its deadline")
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A channel closed before it became active never sees channelInactive; the waiting
        // session must still learn that its connection is gone.
        self.context = nil
        cancelDeadlines()
        isInactive = true
        finish(nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var pending = partial {
            partial = nil
            pending.writeBuffer(&bytes)
            bytes = pending
        }
        do {
            while !isInactive, let frame = try decoder.decode(buffer: &bytes) {
                deliver(frame, context: context)
            }
        } catch {
            fail(error, context: context)
            return
        }
        if bytes.readableBytes > 0 { partial = bytes }
    }

    private func deliver(_ frame: AGIInbound, context: ChannelHandlerContext) {
        if case .environment = frame {
            environmentDeadline?.cancel()
            environmentDeadline = nil
        }
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
        fail(error, context: context)
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        partial = nil
        finish(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isInactive = true
        partial = nil
        cancelDeadlines()
        finish(nil)
        context.fireChannelInactive()
    }

    private func cancelDeadlines() {
        environmentDeadline?.cancel()
        environmentDeadline = nil
        sessionDeadline?.cancel()
        sessionDeadline = nil
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
        return try await withUnsafeThrowingContinuation { continuation in
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
