import AGI
import Logging
import ServiceLifecycle

/// `touchbase serve`: the FastAGI server with TouchBase's routes, run as a service group that
/// shuts down gracefully on SIGTERM and SIGINT.
public enum TouchBaseServer {
    /// The routes TouchBase serves.
    public static func router() -> AGIRouter {
        var router = AGIRouter()
        router.on(BenchRoute.path, BenchRoute.handler)
        return router
    }

    /// Runs until SIGTERM or SIGINT, then lets sessions in flight finish.
    ///
    /// - Parameters:
    ///   - configuration: the settings.
    ///   - logger: the root logger.
    public static func run(configuration: TouchBaseConfiguration, logger: Logger) async throws {
        if !AGIPeerFilter.isLoopback(configuration.agi.host) {
            logger.warning("FastAGI listens beyond loopback; FastAGI has no authentication", metadata: [
                "host": "\(configuration.agi.host)", "allowed_peers": "\(configuration.agi.allowedPeers)",
            ])
        }
        let server = FastAGIServer(configuration: configuration.agi, router: router(), logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: server)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

/// `touchbase agi ROUTE`: one session of TouchBase's routes over stdin and stdout.
public enum ProcessAGIRunner {
    /// Runs the route and returns how the session ended.
    public static func run(route: String, logger: Logger) async throws -> AGISessionEnd {
        try await ProcessAGI.run(route: route, router: TouchBaseServer.router(), logger: logger)
    }
}
