import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The small HTTP/1 servers of `touchbase serve` (metrics, message audio): bind, give each
/// connection its handler after NIO's HTTP codec, serve until graceful shutdown or cancellation.
public enum HTTPListener {
    /// Binds and serves.
    ///
    /// - Parameters:
    ///   - handler: makes each connection's handler.
    ///   - listening: called with the bound port.
    /// - Throws: ``HTTPListenerError`` when it cannot bind, with the system's reason.
    public static func run(host: String, port: Int, handler: @escaping @Sendable () -> any ChannelHandler & Sendable,
                           listening: (Int) -> Void) async throws {
        let channel: Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(handler()) }
                }
                .bind(host: host, port: port).get()
        } catch {
            throw HTTPListenerError(error: error)
        }
        listening(channel.localAddress?.port ?? port)
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await channel.closeFuture.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}

/// A listener that could not bind; `error` is the system's.
public struct HTTPListenerError: Error, Sendable {
    public var error: any Error
}
