import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A FastAGI server: Asterisk's `AGI(agi://host:port/route?query,args)` connects here and the
/// route's handler runs the dialog.
///
/// Each connection is one session, served as its own task on the connection's event loop, started
/// when the connection is accepted, so a thousand calls at once cost a thousand small tasks, not
/// threads. The server keeps count of them: ``run()`` returns only after the last has ended. The server closes a
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
        /// Set once ``run()`` has seen the last session end: a connection accepted after that
        /// is closed, not served.
        var stopped = false
        var lastSessionEnded: CheckedContinuation<Void, Never>?
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
    ///
    /// Cancelling the task that runs it stops the server at once: it stops accepting and
    /// closes every session still open, without the grace period.
    public func run() async throws {
        let configuration = self.configuration
        let server: any Channel
        do {
            server = try await bind(configuration)
        } catch {
            throw FastAGIServerError.cannotListen(host: configuration.host, port: configuration.port, reason: FastAGIServerError.reason(error))
        }
        let alreadyShuttingDown = state.withLockedValue { state in
            state.serverChannel = server
            return state.shuttingDown
        }
        if alreadyShuttingDown { server.close(promise: nil) }
        if let address = server.localAddress {
            logger.info("FastAGI listening", metadata: [
                "address": "\(address)", "routes": "\(router.paths.joined(separator: ","))",
                "allowed_peers": "\(configuration.allowedPeers)",
            ])
            onListening?(address)
        }

        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await server.closeFuture.get()
                await lastSessionEnded()
            } onCancel: {
                self.beginShutdown()
                self.closeAllSessions()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        logger.info("FastAGI server stopped")
    }

    private func bind(_ configuration: Configuration) async throws -> any Channel {
        // Each connection's session starts from the child channel's initializer, on that
        // channel's event loop: no accept stream for a task to drain, so a session costs no hop
        // between NIO's threads and Swift's cooperative pool from accept to close.
        try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.startSession(on: channel)
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
    }

    /// Sets up a connection's pipeline and starts its session task, on the channel's event loop.
    private func startSession(on channel: any Channel) throws {
        let configuration = self.configuration
        if !(channel.remoteAddress.map(configuration.allowedPeers.allows) ?? false) {
            // Closed before a byte is read, and no task is started for it.
            let peer = channel.remoteAddress?.ipAddress ?? "unknown"
            logger.warning("FastAGI connection refused: peer is not in allowed_peers", metadata: ["agi.peer": "\(peer)"])
            channel.close(promise: nil)
            return
        }
        let handler = AGIConnectionHandler(
            decoder: AGIInboundDecoder(maximumLineLength: configuration.maximumLineLength,
                                       maximumEnvironmentLines: configuration.maximumEnvironmentLines),
            environmentTimeout: configuration.environmentTimeout, sessionTimeout: configuration.sessionTimeout,
            logger: logger)
        try channel.pipeline.syncOperations.addHandler(handler)
        let key = ObjectIdentifier(channel)
        let accepted = state.withLockedValue { state in
            guard !state.stopped else { return false }
            state.sessions[key] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        let connection = FastAGIConnection(channel: channel, handler: handler)
        Task(executorPreference: EventLoopTaskExecutor(channel.eventLoop)) {
            await self.serve(connection)
            let waiter: CheckedContinuation<Void, Never>? = self.state.withLockedValue { state in
                state.sessions.removeValue(forKey: key)
                guard state.sessions.isEmpty, let waiter = state.lastSessionEnded else { return nil }
                state.lastSessionEnded = nil
                state.stopped = true
                return waiter
            }
            waiter?.resume()
        }
    }

    /// Returns once no session is open, and marks the server stopped.
    private func lastSessionEnded() async {
        await withCheckedContinuation { continuation in
            let done = state.withLockedValue { state in
                if state.sessions.isEmpty {
                    state.stopped = true
                    return true
                }
                state.lastSessionEnded = continuation
                return false
            }
            if done { continuation.resume() }
        }
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
            let open = self.state.withLockedValue { $0.sessions.count }
            if open > 0 {
                self.logger.warning("Closing AGI sessions still open after the grace period", metadata: ["count": "\(open)"])
            }
            self.closeAllSessions()
        }
    }

    private func closeAllSessions() {
        let open = state.withLockedValue { Array($0.sessions.values) }
        for channel in open { channel.close(promise: nil) }
    }

    private func serve(_ connection: FastAGIConnection) async {
        let channel = connection.channel
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

/// The FastAGI server could not start.
public enum FastAGIServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Binding the address failed, e.g. because another program holds the port.
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason):
            return "cannot listen for FastAGI on \(host):\(port): \(reason)"
        }
    }

    /// A bind error in a few words: the system's reason (`address already in use`), or that
    /// the host is not an address. The web console's server words its own the same way.
    public static func reason(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        if let error = error as? SocketAddressError, case .unknown(let host, _) = error { return "'\(host)' is not an address" }
        return String(describing: error)
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
