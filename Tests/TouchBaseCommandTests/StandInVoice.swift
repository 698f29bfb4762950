import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A local stand-in for a Piper server: answers every `POST /synthesize` at once with a short
/// WAV, or, after `stallAfter` answers, holds each further request without answering, so a node
/// rendering through it stops mid-pass holding its claims.
final class StandInVoice: @unchecked Sendable {
    private let lock = NSLock()
    private var answered = 0
    private var held = 0
    private let stallAfter: Int?
    private var channel: Channel?

    /// The port it listens on, on 127.0.0.1.
    private(set) var port = 0

    private init(stallAfter: Int?) { self.stallAfter = stallAfter }

    /// Starts one.
    static func start(stallAfter: Int? = nil) async throws -> StandInVoice {
        let voice = StandInVoice(stallAfter: stallAfter)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(Handler(voice: voice)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        voice.channel = channel
        voice.port = channel.localAddress?.port ?? 0
        return voice
    }

    /// Requests answered, and requests held unanswered.
    var counts: (answered: Int, held: Int) { lock.withLock { (answered, held) } }

    /// Stops listening; held requests are dropped with their connections.
    func stop() async { try? await channel?.close() }

    /// Whether the next request is answered, counting it either way.
    fileprivate func admit() -> Bool {
        lock.withLock {
            if let stallAfter, answered >= stallAfter {
                held += 1
                return false
            }
            answered += 1
            return true
        }
    }

    /// 0.5 s of a 440 Hz tone, 16-bit mono at 16 kHz, as a WAV file.
    static let wav: [UInt8] = {
        let samples = (0..<8000).map { Int16(3000 * sin(Double($0) * 2 * .pi * 440 / 16_000)) }
        var bytes: [UInt8] = []
        func put32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        func put16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        let dataSize = UInt32(samples.count * 2)
        bytes += Array("RIFF".utf8); put32(36 + dataSize); bytes += Array("WAVE".utf8)
        bytes += Array("fmt ".utf8); put32(16); put16(1); put16(1); put32(16_000); put32(32_000); put16(2); put16(16)
        bytes += Array("data".utf8); put32(dataSize)
        for sample in samples { put16(UInt16(bitPattern: sample)) }
        return bytes
    }()

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let voice: StandInVoice

        init(voice: StandInVoice) { self.voice = voice }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data), voice.admit() else { return }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "audio/wav")
            headers.add(name: "Content-Length", value: "\(StandInVoice.wav.count)")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: StandInVoice.wav)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
