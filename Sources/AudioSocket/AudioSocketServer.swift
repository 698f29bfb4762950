import AGI
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import struct Foundation.UUID

/// An AudioSocket server: Asterisk's `AudioSocket(uuid,host:port)` connects here, and once the
/// UUID frame is in, the handler runs the call's audio.
///
/// Each connection is a child task of the server (one per call in a discarding task group). The
/// server closes a connection when its handler returns, when the peer sends no UUID within
/// ``Configuration/uuidTimeout``, when it runs past ``Configuration/sessionTimeout``, and when
/// the peer sends garbage. A handler's error is logged (a protocol error at info, others at
/// debug) and never reaches the server or another call.
///
/// AudioSocket, like FastAGI, has no authentication: the server listens on loopback by default
/// and takes the same ``AGIPeerFilter`` allow-list.
///
/// Runs as a swift-service-lifecycle `Service`: on graceful shutdown it stops accepting, lets the
/// calls in flight finish, and closes whatever is left after ``Configuration/shutdownGracePeriod``.
public final class AudioSocketServer: Service, Sendable {
    /// Runs one call's audio. Runs in its own task; the connection closes when it returns.
    public typealias Handler = @Sendable (AudioSocketConnection, Logger) async throws -> Void

    /// How the server listens and how long calls may take.
    public struct Configuration: Sendable {
        /// The address to bind; default `127.0.0.1`, since AudioSocket has no authentication.
        public var host: String
        /// The port to bind; default 4574, beside FastAGI's 4573. 0 picks a free port.
        public var port: Int
        /// Which non-loopback peers may connect; loopback is always allowed.
        public var allowedPeers: AGIPeerFilter
        /// How long a new connection may take to send its UUID frame.
        public var uuidTimeout: TimeAmount
        /// How long one call's connection may last.
        public var sessionTimeout: TimeAmount
        /// How long calls in flight may go on after shutdown begins.
        public var shutdownGracePeriod: TimeAmount
        /// The longest frame payload accepted.
        public var maximumPayloadLength: Int

        /// Creates a configuration; every setting has a default fit for one PBX.
        public init(host: String = "127.0.0.1", port: Int = 4574, allowedPeers: AGIPeerFilter = .loopbackOnly,
                    uuidTimeout: TimeAmount = .seconds(5), sessionTimeout: TimeAmount = .seconds(600),
                    shutdownGracePeriod: TimeAmount = .seconds(30), maximumPayloadLength: Int = 8192) {
            self.host = host
            self.port = port
            self.allowedPeers = allowedPeers
            self.uuidTimeout = uuidTimeout
            self.sessionTimeout = sessionTimeout
            self.shutdownGracePeriod = shutdownGracePeriod
            self.maximumPayloadLength = maximumPayloadLength
        }
    }

    /// An accepted connection, its pipeline built, waiting for its UUID.
    private struct Accepted: Sendable {
        let channel: NIOAsyncChannel<AudioSocketEvent, AudioSocketFrame>
        let callID: EventLoopFuture<UUID>
    }

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    /// The server's configuration.
    public let configuration: Configuration
    private let handler: Handler
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let onListening: (@Sendable (SocketAddress) -> Void)?
    private let state = Mutex(State())

    /// Creates a server; it listens once ``run()`` is called.
    ///
    /// - Parameters:
    ///   - configuration: where to listen and the time limits.
    ///   - logger: where the server logs; each call adds its peer and UUID.
    ///   - eventLoopGroup: the event loops to run on; by default NIO's shared group.
    ///   - onListening: called with the bound address once the server listens (useful with port 0).
    ///   - handler: runs each call's audio.
    public init(configuration: Configuration = .init(), logger: Logger,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                onListening: (@Sendable (SocketAddress) -> Void)? = nil, handler: @escaping Handler) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.onListening = onListening
    }

    /// The number of connections open now.
    public var connectionsInFlight: Int { state.withLock { $0.connections.count } }

    /// Listens and serves calls until shutdown; returns when the last call has ended.
    ///
    /// Cancelling the task that runs it stops the server at once and closes every connection.
    public func run() async throws {
        let server: NIOAsyncChannel<Accepted?, Never>
        do {
            server = try await bind()
        } catch {
            throw AudioSocketServerError.cannotListen(host: configuration.host, port: configuration.port,
                                                      reason: String(describing: error))
        }
        let alreadyShuttingDown = state.withLock { state in
            state.serverChannel = server.channel
            return state.shuttingDown
        }
        if alreadyShuttingDown { server.channel.close(promise: nil) }
        if let address = server.channel.localAddress {
            logger.info("AudioSocket listening", metadata: [
                "address": "\(address)", "allowed_peers": "\(configuration.allowedPeers)",
            ])
            onListening?(address)
        }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await server.executeThenClose { accepted in
                    await withDiscardingTaskGroup { group in
                        do {
                            for try await connection in accepted {
                                guard let connection else { continue }
                                group.addTask { await self.serve(connection) }
                            }
                        } catch {
                            self.logger.debug("AudioSocket accept loop ended", metadata: ["error": "\(error)"])
                        }
                    }
                }
            } onCancel: {
                self.beginShutdown()
                self.closeAllConnections()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        logger.info("AudioSocket server stopped")
    }

    private func bind() async throws -> NIOAsyncChannel<Accepted?, Never> {
        try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture { try self.accept(channel) }
            }
    }

    /// Builds an accepted connection's pipeline on its event loop, or closes a refused peer.
    private func accept(_ channel: any Channel) throws -> Accepted? {
        guard channel.remoteAddress.map(configuration.allowedPeers.allows) ?? false else {
            logger.warning("AudioSocket connection refused: peer is not in allowed_peers",
                           metadata: ["audiosocket.peer": "\(channel.remoteAddress?.ipAddress ?? "unknown")"])
            channel.close(promise: nil)
            return nil
        }
        let session = AudioSocketSessionHandler(eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(AudioSocketFrameDecoder(maximumPayloadLength: configuration.maximumPayloadLength)),
            MessageToByteHandler(AudioSocketFrameEncoder()),
            session,
        ])
        let uuidDeadline = channel.eventLoop.scheduleTask(in: configuration.uuidTimeout) { channel.close(promise: nil) }
        session.callID.whenComplete { _ in uuidDeadline.cancel() }
        let sessionDeadline = channel.eventLoop.scheduleTask(in: configuration.sessionTimeout) { channel.close(promise: nil) }
        channel.closeFuture.whenComplete { _ in sessionDeadline.cancel() }
        let wrapped = try NIOAsyncChannel<AudioSocketEvent, AudioSocketFrame>(wrappingChannelSynchronously: channel)
        return Accepted(channel: wrapped, callID: session.callID)
    }

    private func serve(_ accepted: Accepted) async {
        let channel = accepted.channel.channel
        let key = ObjectIdentifier(channel)
        let refused = state.withLock { state in
            if state.shuttingDown { return true }
            state.connections[key] = channel
            return false
        }
        defer { state.withLock { _ = $0.connections.removeValue(forKey: key) } }
        var logger = self.logger
        logger[metadataKey: "audiosocket.peer"] = "\(channel.remoteAddress?.ipAddress ?? "unknown")"
        do {
            guard !refused else { throw CancellationError() }
            let callID = try await accepted.callID.get()
            logger[metadataKey: "audiosocket.uuid"] = "\(callID)"
            try await accepted.channel.executeThenClose { inbound, outbound in
                try await handler(AudioSocketConnection(callID: callID, inbound: inbound, outbound: outbound), logger)
            }
        } catch let error as AudioSocketProtocolError {
            logger.info("AudioSocket peer broke the protocol; connection closed", metadata: ["error": "\(error)"])
        } catch {
            logger.debug("AudioSocket connection ended with an error", metadata: ["error": "\(error)"])
        }
        try? await channel.close()
    }

    /// Stops accepting connections and closes the calls still open after the grace period.
    public func beginShutdown() {
        let server: (any Channel)? = state.withLock { state in
            guard !state.shuttingDown else { return nil }
            state.shuttingDown = true
            return state.serverChannel
        }
        guard let server else { return }
        logger.info("AudioSocket shutting down", metadata: ["connections_in_flight": "\(connectionsInFlight)"])
        server.close(promise: nil)
        server.eventLoop.scheduleTask(in: configuration.shutdownGracePeriod) { self.closeAllConnections() }
    }

    private func closeAllConnections() {
        for channel in state.withLock({ Array($0.connections.values) }) { channel.close(promise: nil) }
    }
}

/// The AudioSocket server could not start.
public enum AudioSocketServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Binding the address failed, e.g. because another program holds the port.
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason):
            return "AudioSocket cannot listen on \(host):\(port): \(reason) (is another touchbase serve running? set [audiosocket] port)"
        }
    }
}
