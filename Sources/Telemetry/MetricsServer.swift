import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves ``TouchBaseMetrics`` at `GET /metrics` for Prometheus, on an address of its own:
/// the registry's text at `/metrics`, 404 anywhere else.
public struct MetricsServer: Service {
    /// Where to listen; port 0 picks a free port.
    public var host: String
    public var port: Int
    public var metrics: TouchBaseMetrics
    public var logger: Logger
    /// Called with the bound port once listening.
    public var onListening: (@Sendable (Int) -> Void)?

    /// Creates the server.
    public init(host: String, port: Int, metrics: TouchBaseMetrics, logger: Logger, onListening: (@Sendable (Int) -> Void)? = nil) {
        self.host = host
        self.port = port
        self.metrics = metrics
        self.logger = logger
        self.onListening = onListening
    }

    /// Listens and answers until graceful shutdown.
    ///
    /// - Throws: ``MetricsServerError`` naming the address when it cannot listen.
    public func run() async throws {
        let (metrics, host, logger, onListening) = (metrics, host, logger, onListening)
        do {
            try await HTTPListener.run(host: host, port: port, handler: { MetricsHandler(metrics: metrics) }) { bound in
                logger.info("Prometheus metrics at http://\(host):\(bound)/metrics")
                onListening?(bound)
            }
        } catch let failed as HTTPListenerError {
            throw MetricsServerError(host: host, port: port, error: failed.error)
        }
    }
}

/// The metrics server could not start.
public struct MetricsServerError: Error, Sendable, CustomStringConvertible {
    /// `cannot serve metrics on 127.0.0.1:9464: address already in use`.
    public var description: String

    init(host: String, port: Int, error: any Error) {
        let reason: String
        if let error = error as? IOError {
            reason = String(cString: strerror(error.errnoCode)).lowercased()
        } else if let error = error as? SocketAddressError, case .unknown(let host, _) = error {
            reason = "'\(host)' is not an address"
        } else {
            reason = String(describing: error)
        }
        description = "cannot serve metrics on \(host):\(port): \(reason)"
    }
}

final class MetricsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let metrics: TouchBaseMetrics
    init(metrics: TouchBaseMetrics) { self.metrics = metrics }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let found = request.method == .GET && (request.uri == "/metrics" || request.uri.hasPrefix("/metrics?"))
        let body = found ? metrics.exposition() : "not found; try /metrics\n"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: request.version, status: found ? .ok : .notFound, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
