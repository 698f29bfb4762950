import NIOCore

/// Plays Asterisk's side of one FastAGI session: sends the environment, answers each command
/// line as ``AsteriskReplies`` says, one at a time as Asterisk does, and waits for the server to
/// close the connection (Asterisk never closes first).
///
/// Measures each command's turnaround: from the moment our previous answer was written to the
/// moment the server's next command line arrived; and, apart, the first command's wait, from the
/// environment written to the first command received (session set-up and routing).
final class AsteriskSideHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let driver: LoopDriver
    private let environment: String
    private let sessionNumber: Int
    private var pending: ByteBuffer?
    private var answeredAt: NIODeadline?
    private var commands = 0
    private var sawHangup = false
    private var end: SessionEnd?
    private var playback: Scheduled<Void>?
    private var timeout: Scheduled<Void>?
    private var reported = false

    init(driver: LoopDriver, environment: String, sessionNumber: Int) {
        self.driver = driver
        self.environment = environment
        self.sessionNumber = sessionNumber
    }

    func channelActive(context: ChannelHandlerContext) {
        let isolated = context.eventLoop.assumeIsolated()
        timeout = isolated.scheduleTask(in: driver.plan.sessionTimeout) { [weak self] in
            guard let self else { return }
            if self.end == nil { self.end = .timedOut }
            context.close(promise: nil)
        }
        write(environment, context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if pending == nil {
            pending = bytes
        } else {
            pending!.writeBuffer(&bytes)
        }
        answerLines(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        playback?.cancel()
        if !reported {
            reported = true
            let outcome = end ?? (commands == 0 ? .closedBeforeCommand : .closedByServer(sawHangup: sawHangup))
            driver.sessionEnded(outcome)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if end == nil { end = .failed }
        context.close(promise: nil)
    }

    /// Answers the complete lines received, stopping while a playback is in progress: Asterisk
    /// reads the next command only once the previous one has finished.
    private func answerLines(context: ChannelHandlerContext) {
        while playback == nil, var buffer = pending {
            guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
                if buffer.readableBytes > driver.plan.maximumLineLength {
                    end = end ?? .protocolViolation
                    context.close(promise: nil)
                }
                return
            }
            let length = newline - buffer.readerIndex
            var line = buffer.readString(length: length) ?? ""
            buffer.moveReaderIndex(forwardBy: 1)
            pending = buffer.readableBytes == 0 ? nil : buffer
            if line.hasSuffix("\r") { line.removeLast() }
            answer(line, context: context)
        }
    }

    private func answer(_ line: String, context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        if let answeredAt {
            let waited = UInt64(max(0, (now - answeredAt).nanoseconds))
            if commands == 0 {
                driver.stats.firstCommand.record(waited)
            } else {
                driver.stats.turnaround.record(waited)
            }
            self.answeredAt = nil
        }
        commands += 1
        driver.stats.commands += 1
        if let prefix = driver.plan.callIDPrefix, line == "GET VARIABLE TOUCHBASE_CALL" {
            write("200 result=1 (\(prefix)\(sessionNumber))\n", context: context)
            return
        }
        let reply = driver.reply(to: line)
        if reply.isUnknown { driver.stats.unknownCommands += 1 }
        if reply.isHangup { sawHangup = true }
        guard reply.delay > .zero else {
            write(reply.bytes, context: context)
            return
        }
        playback = context.eventLoop.assumeIsolated().scheduleTask(in: reply.delay) { [weak self] in
            guard let self else { return }
            self.playback = nil
            self.write(reply.bytes, context: context)
            self.answerLines(context: context)
        }
    }

    private func write(_ text: String, context: ChannelHandlerContext) {
        write(context.channel.allocator.buffer(string: text), context: context)
    }

    private func write(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        answeredAt = .now()
    }
}
