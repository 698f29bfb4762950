import AGI
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Speech
import Telemetry

/// Serves the sounds folder's prepared messages over HTTP to the PBXs, so each Asterisk plays a
/// message by URL through its media cache (``MessageAudioServing``): `GET /NAME.sln16` or
/// `/NAME.ulaw`, to peers `[agi] allowed_peers` or `[audio] allowed_peers` lets in (the PBXs,
/// and the other nodes whose consoles play this node's messages); 404 for any other name, 403
/// for any other peer.
public struct MessageAudioServer: Service {
    public var host: String
    public var port: Int
    /// The folder served; nothing outside it can be named.
    public var soundsFolder: String
    public var allowedPeers: AGIPeerFilter
    public var logger: Logger
    /// Called with the bound port once listening.
    public var onListening: (@Sendable (Int) -> Void)?

    /// Creates the server.
    public init(host: String, port: Int, soundsFolder: String, allowedPeers: AGIPeerFilter, logger: Logger,
                onListening: (@Sendable (Int) -> Void)? = nil) {
        self.host = host
        self.port = port
        self.soundsFolder = soundsFolder
        self.allowedPeers = allowedPeers
        self.logger = logger
        self.onListening = onListening
    }

    /// Listens and answers until graceful shutdown.
    ///
    /// - Throws: ``MessageAudioServerError`` naming the address when it cannot listen.
    public func run() async throws {
        let (folder, peers, logger, onListening) = (soundsFolder, allowedPeers, logger, onListening)
        do {
            try await HTTPListener.run(host: host, port: port, handler: {
                MessageAudioHandler(soundsFolder: folder, allowedPeers: peers, logger: logger)
            }) { bound in
                logger.info("Message audio for the PBXs", metadata: ["listen": "\(host):\(bound)", "folder": "\(folder)"])
                onListening?(bound)
            }
        } catch let failed as HTTPListenerError {
            throw MessageAudioServerError(description: "cannot serve message audio on \(host):\(port): \(failed.error)")
        }
    }
}

/// The message audio server could not start.
public struct MessageAudioServerError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Answers one request a connection: the file read off the event loop, then the connection closed.
final class MessageAudioHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let soundsFolder: String
    let allowedPeers: AGIPeerFilter
    let logger: Logger

    init(soundsFolder: String, allowedPeers: AGIPeerFilter, logger: Logger) {
        self.soundsFolder = soundsFolder
        self.allowedPeers = allowedPeers
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let channel = context.channel
        guard let peer = channel.remoteAddress, allowedPeers.allows(peer) else {
            logger.warning("Message audio refused to a peer not in [agi] or [audio] allowed_peers", metadata: ["peer": "\(channel.remoteAddress.map { "\($0)" } ?? "unknown")"])
            Self.respond(channel, version: request.version, status: .forbidden, body: Array("not an allowed peer\n".utf8), head: false)
            return
        }
        let head = request.method == .HEAD
        switch MessageAudioRequest(method: request.method.rawValue, target: request.uri) {
        case .refused(let status, let reason):
            Self.respond(channel, version: request.version, status: HTTPResponseStatus(statusCode: status), body: Array("\(reason)\n".utf8), head: head)
        case .file(let name):
            let path = (soundsFolder as NSString).appendingPathComponent(name)
            // A message is under a megabyte; reading it in a task keeps the event loop free.
            Task {
                if let bytes = FileManager.default.contents(atPath: path) {
                    Self.respond(channel, version: request.version, status: .ok, body: Array(bytes), head: head, name: name)
                } else {
                    Self.respond(channel, version: request.version, status: .notFound, body: Array("no such message\n".utf8), head: head)
                }
            }
        }
    }

    /// Writes the response and closes. A file's name is its content's hash, so it may be cached.
    static func respond(_ channel: Channel, version: HTTPVersion, status: HTTPResponseStatus, body: [UInt8], head: Bool, name: String? = nil) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: name == nil ? "text/plain; charset=utf-8" : "application/octet-stream")
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: "close")
        if let name {
            headers.add(name: "Cache-Control", value: "max-age=86400")
            headers.add(name: "ETag", value: "\"\(name)\"")
        }
        let responseHead = HTTPResponseHead(version: version, status: status, headers: headers)
        channel.eventLoop.execute {
            channel.write(HTTPServerResponsePart.head(responseHead), promise: nil)
            if !head { channel.write(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil) }
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
