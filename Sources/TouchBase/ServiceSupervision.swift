import Logging
import ServiceLifecycle
import UnixSignals

/// Runs `touchbase serve`'s services as one group, and makes sure the process can always end:
/// the first service that fails (a port in use, a spool it cannot write) ends the run at once
/// with that error, and a shutdown that overruns its limit ends it too.
///
/// A `ServiceGroup` on its own waits for every service to return after one fails or after
/// SIGTERM; a service that does not honour cancellation would keep the process alive with its
/// ports open. The run does not wait for such a service: the caller exits.
enum ServiceSupervision {
    /// A shutdown that did not finish in time.
    struct ShutdownOverdue: Error, CustomStringConvertible {
        var limit: Duration
        var description: String { "shutdown took longer than \(limit.components.seconds) s; stopping without waiting for the rest" }
    }

    /// A service that reports its failure the moment it happens.
    private struct Reporting: Service {
        var service: any Service
        var report: @Sendable (any Error) -> Void

        func run() async throws {
            do {
                try await service.run()
            } catch {
                report(error)
                throw error
            }
        }
    }

    /// Runs `services` until SIGTERM or SIGINT has shut them down.
    ///
    /// - Parameters:
    ///   - services: the services, started in order and shut down in reverse.
    ///   - grace: how long sessions may go on after the signal. Services still running 2
    ///     seconds past it are cancelled; 5 seconds past it, the run ends anyway.
    /// - Throws: the first error a service throws, as soon as it throws, or ``ShutdownOverdue``.
    static func run(_ services: [any Service], grace: Duration, logger: Logger) async throws {
        let shutdownLimit = grace + .seconds(5)
        let (failures, reporter) = AsyncStream.makeStream(of: (any Error).self)
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: Reporting(service: $0, report: { reporter.yield($0) })) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = grace + .seconds(2)
        let group = ServiceGroup(configuration: configuration)
        let running = Task {
            defer { reporter.finish() }
            try await group.run()
        }
        let deadline = Task {
            for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                try await Task.sleep(for: shutdownLimit)
                reporter.yield(ShutdownOverdue(limit: shutdownLimit))
                return
            }
        }
        defer { deadline.cancel() }
        for await failure in failures {
            running.cancel()
            throw failure
        }
        try await running.value
    }
}
