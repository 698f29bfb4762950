import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A FastAGI server: Asterisk's `AGI(agi://host:port/route?query,args)` connects here and the
/// route's handler runs the dialog.
///
/// Each connection is one session, served as its own child task on the connection's event loop, so a
/// thousand calls at once cost a thousand small tasks, not threads. The server closes a
/// connection when its handler returns (Asterisk never closes first), when the peer sends no
/// environment within ``Configuration/environmentTimeout``, and when a handler runs past
/// ``Configuration/sessionTimeout``.
///
/// Runs as a swift-service-lifecycle `Service`: on graceful shutdown (SIGTERM, SIGINT) it stops
/// accepting, lets the sessions in flight finish, and closes whatever is left after
/// ``Configuration/shutdownGracePeriod``.
public final class FastAGIServer: Service, Sendable {
    /// How the server listens and how long sessions may take.
    public struct Configuration: Sendable {
        /// The address to bind; default `127.0.0.1`, since FastAGI has no authentication.
        public var host: String
        /// The port to bind; default 4573, FastAGI's own. 0 picks a free port.
        public var port: Int
        /// Which non-loopback peers may connect; loopback is always allowed.
        public var allowedPeers: AGIPeerFilter
        /// How long a new connection may take to send its environment.
        public var environmentTimeout: TimeAmount
        /// How long one session may last before the server closes it.
        public var sessionTimeout: TimeAmount
        /// How long sessions in flight may go on after shutdown begins.
        public var shutdownGracePeriod: TimeAmount
        /// The longest line accepted from Asterisk.
        public var maximumLineLength: Int
        /// The most environment lines accepted.
        public var maximumEnvironmentLines: Int

        /// Creates a configuration; every setting has a default fit for one PBX.
        public init(host: String = "127.0.0.1", port: Int = 4573,
                    allowedPeers: AGIPeerFilter = .loopbackOnly,
                    environmentTimeout: TimeAmount = .seconds(10),
                    sessionTimeout: TimeAmount = .seconds(600),
                    shutdownGracePeriod: TimeAmount = .seconds(30),
                    maximumLineLength: Int = 8192, maximumEnvironmentLines: Int = 256) {
            self.host = host
            self.port = port
            self.allowedPeers = allowedPeers
            self.environmentTimeout = environmentTimeout
            self.sessionTimeout = sessionTimeout
            self.shutdownGracePeriod = shutdownGracePeriod
            self.maximumLineLength = maximumLineLength
            self.maximumEnvironmentLines = maximumEnvironmentLines
        }
    }

    private struct State {
        var serverChannel: (any Channel)?
        var sessions: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    /// The server's configuration.
    public let configuration: Configuration
    private let router: AGIRouter
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let onListening: (@Sendable (SocketAddress) -> Void)?
    private let state = NIOLockedValueBox(State())

    /// Creates a server; it listens once ``run()`` is called.
    ///
    /// - Parameters:
    ///   - configuration: where to listen and the time limits.
    ///   - router: the handlers by script path.
    ///   - logger: where the server logs; each session adds its route and unique id.
    ///   - eventLoopGroup: the event loops to run on; by default NIO's shared group.
    ///   - onListening: called with the bound address once the server listens (useful with port 0).
    public init(configuration: Configuration = .init(), router: AGIRouter, logger: Logger,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                onListening: (@Sendable (SocketAddress) -> Void)? = nil) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.onListening = onListening
    }

    /// The number of sessions open now.
    public var sessionsInFlight: Int { state.withLockedValue { $0.sessions.count } }

    /// Listens and serves sessions until shutdown; returns when the last session has ended.
    public func run() async throws {
        let configuration = self.configuration
        let server: NIOAsyncChannel<FastAGIConnection, Never>
        do {
            server = try await bind(configuration)
        } catch {
            throw FastAGIServerError.cannotListen(host: configuration.host, port: configuration.port, reason: String(describing: error))
        }
        let alreadyShuttingDown = state.withLockedValue { state in
            state.serverChannel = server.channel
            return state.shuttingDown
        }
        if alreadyShuttingDown { server.channel.close(promise: nil) }
        try await serve(server)
    }

    private func bind(_ configuration: Configuration) async throws -> NIOAsyncChannel<FastAGIConnection, Never> {
        let logger = self.logger
        return try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Checked here, on the channel's event loop, so a refused peer costs no task.
                    let peer = channel.remoteAddress?.ipAddress ?? "unknown"
                    if !configuration.allowedPeers.allows(ipAddress: peer) {
                        // Closed before a byte is read; the session task then ends at once.
                        logger.warning("FastAGI connection refused: peer is not in allowed_peers", metadata: ["agi.peer": "\(peer)"])
                        channel.close(promise: nil)
                    }
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(AGIInboundDecoder(maximumLineLength: configuration.maximumLineLength,
                                                               maximumEnvironmentLines: configuration.maximumEnvironmentLines)),
                        AGISessionDeadlineHandler(environmentTimeout: configuration.environmentTimeout,
                                                  sessionTimeout: configuration.sessionTimeout, logger: logger),
                    ])
                    let handler = AGIConnectionHandler()
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return FastAGIConnection(channel: channel, handler: handler)
                }
            }
    }

    private func serve(_ server: NIOAsyncChannel<FastAGIConnection, Never>) async throws {
        if let address = server.channel.localAddress {
            logger.info("FastAGI listening", metadata: [
                "address": "\(address)", "routes": "\(router.paths.joined(separator: ","))",
                "allowed_peers": "\(configuration.allowedPeers)",
            ])
            onListening?(address)
        }

        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { sessions in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        sessions.addTask(executorPreference: EventLoopTaskExecutor(connection.channel.eventLoop)) {
                            await self.serve(connection)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        logger.info("FastAGI server stopped")
    }

    /// Stops accepting connections and closes the sessions still open after the grace period.
    ///
    /// ``run()`` returns once every session has ended. Graceful shutdown of the service group
    /// calls this too.
    public func beginShutdown() {
        let server: (any Channel)? = state.withLockedValue { state in
            guard !state.shuttingDown else { return nil }
            state.shuttingDown = true
            return state.serverChannel
        }
        guard let server else { return }
        logger.info("FastAGI shutting down", metadata: [
            "sessions_in_flight": "\(sessionsInFlight)",
            "grace_period_ms": "\(configuration.shutdownGracePeriod.nanoseconds / 1_000_000)",
        ])
        server.close(promise: nil)
        server.eventLoop.scheduleTask(in: configuration.shutdownGracePeriod) {
            let open = self.state.withLockedValue { Array($0.sessions.values) }
            if !open.isEmpty {
                self.logger.warning("Closing AGI sessions still open after the grace period", metadata: ["count": "\(open.count)"])
            }
            for channel in open { channel.close(promise: nil) }
        }
    }

    private func serve(_ connection: FastAGIConnection) async {
        let channel = connection.channel
        let key = ObjectIdentifier(channel)
        state.withLockedValue { $0.sessions[key] = channel }
        defer { state.withLockedValue { _ = $0.sessions.removeValue(forKey: key) } }
        var logger = self.logger
        logger[metadataKey: "agi.peer"] = .stringConvertible(PeerDescription(channel: channel))
        await router.runSession(over: HandlerAGITransport(connection: connection), logger: logger)
        // Asterisk never closes first: the session ends when its handler returns.
        channel.close(promise: nil)
    }
}

/// The peer's address, formatted only if a log line is written.
private struct PeerDescription: CustomStringConvertible, Sendable {
    let channel: any Channel
    var description: String { channel.remoteAddress?.ipAddress ?? "unknown" }
}

/// Closes a FastAGI connection that sends no environment in time, or whose session runs past
/// its deadline. Runs on the channel's event loop, so the timers cost no thread hop.
final class AGISessionDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = AGIInbound
    typealias InboundOut = AGIInbound

    private let environmentTimeout: TimeAmount
    private let sessionTimeout: TimeAmount
    private let logger: Logger
    private var environmentDeadline: Scheduled<Void>?
    private var sessionDeadline: Scheduled<Void>?

    init(environmentTimeout: TimeAmount, sessionTimeout: TimeAmount, logger: Logger) {
        self.environmentTimeout = environmentTimeout
        self.sessionTimeout = sessionTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
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

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .environment = unwrapInboundIn(data) {
            environmentDeadline?.cancel()
            environmentDeadline = nil
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        environmentDeadline?.cancel()
        sessionDeadline?.cancel()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        environmentDeadline?.cancel()
        sessionDeadline?.cancel()
    }
}

/// The FastAGI server could not start.
public enum FastAGIServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Binding the address failed, e.g. because another program holds the port.
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason):
            return "FastAGI cannot listen on \(host):\(port): \(reason) (is another touchbase serve running? set [agi] port or --agi-port)"
        }
    }
}

/// ``AGITransport`` over a NIO channel: a TCP connection (FastAGI) or a pipe pair (process AGI).
struct ChannelAGITransport: AGITransport {
    var inbound: NIOAsyncChannelInboundStream<AGIInbound>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let allocator: ByteBufferAllocator

    mutating func write(line: String) async throws {
        var buffer = allocator.buffer(capacity: line.utf8.count + 1)
        buffer.writeString(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        try await outbound.write(buffer)
    }

    mutating func next() async throws -> AGIInbound? {
        try await inbound.next()
    }
}
