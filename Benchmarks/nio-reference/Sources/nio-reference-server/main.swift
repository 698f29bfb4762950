import NIOCore
import NIOPosix

/// Reads the environment, then sends the bench dialog one command per response, and closes.
/// Not a FastAGI implementation: no quoting, no 520 blocks, no hangup handling; a yardstick.
final class BenchDialogHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let dialog: [String] = [
        "GET VARIABLE AMDSTATUS\n", "GET VARIABLE AMDCAUSE\n", "GET VARIABLE TOUCHBASE_CALL\n",
        "EXEC WaitForSilence 1500,1,20\n", "STREAM FILE touchbase/bench \"\"\n",
        "SET VARIABLE CDR(userfield) \"tb-bench\"\n", "VERBOSE \"touchbase bench done\" 1\n", "HANGUP\n",
    ]

    private var pending: ByteBuffer?
    private var inEnvironment = true
    private var step = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if pending == nil { pending = bytes } else { pending!.writeBuffer(&bytes) }
        while var buffer = pending, let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            let isBlank = length == 0 || (length == 1 && buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == UInt8(ascii: "\r"))
            buffer.moveReaderIndex(forwardBy: length + 1)
            pending = buffer.readableBytes == 0 ? nil : buffer
            if inEnvironment {
                if isBlank {
                    inEnvironment = false
                    send(context)
                }
            } else {
                send(context)
            }
        }
        if let buffer = pending, buffer.readableBytes > 8192 { context.close(promise: nil) }
    }

    private func send(_ context: ChannelHandlerContext) {
        guard step < Self.dialog.count else {
            context.close(promise: nil)
            return
        }
        let line = Self.dialog[step]
        step += 1
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: line)), promise: nil)
    }
}

var port = 14576
var threads = System.coreCount
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next() ?? "") ?? port
    case "--threads": threads = Int(arguments.next() ?? "") ?? threads
    default: fatalError("usage: nio-reference-server [--port N] [--threads N]")
    }
}
let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
let channel = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(BenchDialogHandler())
        }
    }
    .bind(host: "127.0.0.1", port: port).wait()
print("nio-reference-server listening on 127.0.0.1:\(port) with \(threads) threads")
try channel.closeFuture.wait()
