import AGI
import Cadence
import Foundation
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Scripts
import ServiceLifecycle
import Store

/// What the console reads and changes, handed in by `touchbase serve`'s wiring: the console
/// knows the store and the cadence, not how the process was put together.
public struct ConsoleServices: Sendable {
    public var store: any Store
    public var policy: CallingPolicy
    /// How an uploaded CSV is read: the same rules, defaults and checks as `contacts import`.
    public var importer: ContactImport
    /// The message templates the calls speak from, for the Messages page's preview; the page
    /// saves into their folder (`[speech] templates`) and has them read again at once. Without
    /// a folder the built-in templates are in force and none can be saved.
    public var templates: MessageScriptsInForce
    /// Speaks a message's words for the Messages page's audio preview, as a call would: the
    /// `.sln16` samples (16 kHz) and the voice that spoke them. `nil`: no preview audio.
    public var speakPreview: (@Sendable (RenderedMessage) async throws -> (samples: [UInt8], voice: String))?
    /// The lines of `check-config`, for the System page.
    public var checks: @Sendable () async -> [String]
    /// The dialer's state in words, for the System page.
    public var dialerState: @Sendable () async -> String
    /// Each voice's health in words (its circuit breaker, its failures), for the System page.
    public var voices: @Sendable () async -> [String] = { [] }
    /// The last warnings and errors logged, newest first, for the System page.
    public var recentProblems: @Sendable () async -> [String] = { [] }
    /// Fetches a call's `.sln16` samples from the node that prepared them, by the URL its planned
    /// message records and its length in samples; `nil` when this node fetches from no other.
    /// Throws ``PeerAudioFailure`` (or any error, shown as the node's failure).
    public var peerAudio: (@Sendable (_ url: String, _ samples: Int) async throws -> [UInt8])? = nil
    public var clock: @Sendable () -> Date

    /// Creates the services.
    public init(store: any Store, policy: CallingPolicy, importer: ContactImport, templates: MessageScriptsInForce,
                checks: @escaping @Sendable () async -> [String] = { [] },
                dialerState: @escaping @Sendable () async -> String = { "unknown" },
                clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.policy = policy
        self.importer = importer
        self.templates = templates
        self.checks = checks
        self.dialerState = dialerState
        self.clock = clock
    }
}

/// The web console inside `touchbase serve`: a Hummingbird server answering the pages.
public struct ConsoleServer: Service {
    let settings: ConsoleSettings
    let console: Console
    let logger: Logger
    let onListening: (@Sendable (Int) -> Void)?

    /// Creates the server; it listens when run.
    public init(settings: ConsoleSettings, services: ConsoleServices, logger: Logger, onListening: (@Sendable (Int) -> Void)? = nil) {
        self.settings = settings
        console = Console(settings: settings, services: services)
        self.logger = logger
        self.onListening = onListening
    }

    /// Listens and answers until graceful shutdown.
    ///
    /// - Throws: ``ConsoleServerError`` naming the address when it cannot listen.
    public func run() async throws {
        let listening = NIOLockedValueBox(false)
        let (host, port, logger, onListening) = (settings.host, settings.port, logger, onListening)
        let application = Application(
            router: console.router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "TouchBase"),
            onServerRunning: { channel in
                listening.withLockedValue { $0 = true }
                let bound = channel.localAddress?.port ?? port
                logger.info("Web console at http://\(host):\(bound)/")
                onListening?(bound)
            },
            logger: quietLogger())
        do {
            try await application.run()
        } catch where !listening.withLockedValue({ $0 }) {
            throw ConsoleServerError(host: host, port: port, error: error)
        }
    }

    /// Hummingbird logs each request at info; the console's own lines are enough.
    private func quietLogger() -> Logger {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        return quiet
    }
}

/// The console could not start.
public struct ConsoleServerError: Error, Sendable, CustomStringConvertible {
    /// `cannot serve the web console on 127.0.0.1:8080: address already in use`.
    public var description: String

    init(host: String, port: Int, error: any Error) {
        description = "cannot serve the web console on \(host):\(port): \(FastAGIServerError.reason(error))"
    }
}
