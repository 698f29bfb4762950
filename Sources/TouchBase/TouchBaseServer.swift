import AGI
import AudioSocket
import Cadence
import ConfigurationFile
import Console
import Dialer
import Foundation
import Logging
import Scripts
import ServiceLifecycle
import Settings
import Speech
import Store
import Telemetry

/// Everything `touchbase serve` runs, wired from one configuration: the store, the message
/// preparation, the AGI routes, the dialer and pre-rendering.
public struct TouchBaseAssembly: Sendable {
    public var configuration: TouchBaseConfiguration
    public var store: any Store
    public var metrics: TouchBaseMetrics
    public var messages: MessagePreparation
    public var routes: CallRoutes
    /// The AudioSocket side of calls judged by TouchBase's own detector.
    public var greetingCalls: GreetingCallHandler
    public var prerenderer: Prerenderer?
    public var dialer: OutboundDialer?

    /// Wires the parts.
    ///
    /// - Parameters:
    ///   - configuration: the settings.
    ///   - store: the store; by default the configured SQLite file (open a PostgreSQL store with
    ///     ``TouchBaseConfiguration/openStore(path:environment:logger:)`` and pass it).
    ///   - originator: how calls reach Asterisk; by default the configured call-file spool or AMI.
    ///   - voices: the HTTP voices, instead of those the configuration names.
    ///   - environment: where API keys and the AMI secret are read from.
    ///   - clock: the clock; tests pass a simulated one.
    /// - Throws: an error naming the setting when a voice, the templates or the AMI login cannot
    ///   be set up.
    public init(configuration: TouchBaseConfiguration, store: (any Store)? = nil, originator: (any CallOriginator)? = nil,
                voices chosenVoices: [any SpeechProvider]? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                clock: @escaping @Sendable () -> Date = Date.init, logger: Logger) throws {
        self.configuration = configuration
        self.store = try store ?? SQLiteStore(path: configuration.databasePath)
        metrics = TouchBaseMetrics()
        let speech = configuration.speech
        let templates = try MessageScriptsInForce(folder: speech.templatesFolder)
        for warning in templates.scripts.warnings { logger.warning("\(warning)") }
        let speaker: MessageSpeaker
        do {
            speaker = try speech.makeSpeaker(voices: chosenVoices, environment: environment, metrics: metrics.factory, logger: logger)
        } catch {
            throw configuration.located(error)
        }
        messages = MessagePreparation(templates: templates, speaker: speaker, policy: configuration.policy, metrics: metrics)
        messages.serving = configuration.audio
        let prerenderer = speech.prerender ? Prerenderer(messages: messages, inFlight: speech.inFlight, clock: clock, logger: logger) : nil
        self.prerenderer = prerenderer
        let scheduled: @Sendable (Contact, FollowUpState) -> Void = { contact, state in
            guard let prerenderer else { return }
            Task { await prerenderer.schedule(contact, state) }
        }
        routes = CallRoutes(store: self.store, policy: configuration.policy, settings: configuration.calls, messages: messages,
                            metrics: metrics, clock: clock, scheduled: scheduled,
                            audio: (configuration.audio, configuration.speech.absoluteSoundsFolder))
        greetingCalls = GreetingCallHandler(store: self.store, settlement: routes.settlement, settings: configuration.greeting,
                                            clock: clock)
        if configuration.dialer.enabled {
            let chosen = try originator ?? Self.originators(configuration, environment: environment, logger: logger)
            dialer = OutboundDialer(settings: configuration.dialer, store: self.store, policy: configuration.policy, messages: messages,
                                    originator: chosen, metrics: metrics, clock: clock, scheduled: scheduled,
                                    detector: configuration.calls.detector, logger: logger)
        } else {
            dialer = nil
        }
    }

    /// What the web console reads and changes: this process's store, cadence and templates;
    /// uploads are read as `contacts import` reads a file, owner dial strings checked by the dialer.
    public func consoleServices(checks: @escaping @Sendable () async -> [String]) -> ConsoleServices {
        let (store, dialer) = (store, configuration.dialer)
        let method: String
        switch dialer.method {
        case .callFile(let outgoing, _): method = "call files into \(outgoing)"
        case .ami(let login): method = "AMI Originate on \(login.host):\(login.port)"
        }
        let metrics = metrics
        var services = ConsoleServices(
            store: store, policy: configuration.policy, importer: ContactImport(ownerDialProblem: DialString.problemForDial),
            templates: messages.templates, checks: checks,
            dialerState: {
                let open = (try? await store.openCalls().count).map { "\($0) calls under way" } ?? "calls under way unknown"
                return dialer.enabled ? "on (\(method)); \(open)" : "off ([dialer] enabled = false); \(open)"
            })
        let speaker = messages.speaker
        services.speakPreview = { message in
            let audio = try await speaker.render(SpeechRequest(text: message.text, ssml: message.ssml))
            guard let samples = FileManager.default.contents(atPath: audio.path + ".sln16") else {
                throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: audio.path + ".sln16"])
            }
            return (Array(samples), audio.voice)
        }
        services.voices = { metrics.voiceHealth() }
        services.recentProblems = { RecentProblems.shared.newestFirst }
        services.peerAudio = Self.peerAudio(MessageAudioClient())
        return services
    }

    /// How the console fetches a call's audio prepared on another node: over that node's audio
    /// server, its failures in the console's terms.
    public static func peerAudio(_ client: MessageAudioClient) -> @Sendable (String, Int) async throws -> [UInt8] {
        { url, samples in
            do throws(MessageAudioFetchError) {
                return try await client.sln16(at: url, samples: samples)
            } catch {
                throw PeerAudioFailure(error.description, missing: error.missing)
            }
        }
    }

    /// The originator of each PBX this node places calls on: call files into its spool, or its AMI.
    static func originators(_ configuration: TouchBaseConfiguration, environment: [String: String],
                            logger: Logger) throws -> any CallOriginator {
        var byPBX: [String: any CallOriginator] = [:]
        for pbx in configuration.dialer.nodePBXs {
            switch pbx.method {
            case .callFile(let outgoing, let staging):
                byPBX[pbx.name] = CallFileOriginator(spool: CallFileSpool(outgoingDirectory: outgoing, stagingDirectory: staging))
            case .ami(var login):
                guard let secret = environment[pbx.amiSecretEnvironment], !secret.isEmpty else {
                    let key = configuration.dialer.pbxs.isEmpty ? "dialer.ami.secret_env" : "dialer.pbx \(pbx.name) ami.secret_env"
                    throw configuration.located(SettingsProblem(key: key, message: "names \(pbx.amiSecretEnvironment), which is not set in the environment"))
                }
                login.secret = secret
                byPBX[pbx.name] = AMIOriginator(configuration: login, logger: logger)
            }
        }
        return PBXOriginators(byPBX: byPBX)
    }

    /// The router: TouchBase's routes and the `bench` route.
    public var router: AGIRouter {
        var router = TouchBaseServer.router()
        routes.add(to: &router)
        return router
    }
}

/// `touchbase serve`: the FastAGI server with TouchBase's routes, the dialer, pre-rendering
/// and metrics, run as a service group that shuts down gracefully on SIGTERM and SIGINT.
public enum TouchBaseServer {
    /// The routes that need no store: `bench`.
    public static func router() -> AGIRouter {
        var router = AGIRouter()
        router.on(BenchRoute.path, BenchRoute.handler)
        return router
    }

    /// Runs until SIGTERM or SIGINT, then lets sessions in flight finish.
    ///
    /// - Parameters:
    ///   - configuration: the settings.
    ///   - checks: `check-config`'s findings, one line each, for the console's System page.
    ///   - logger: the root logger.
    /// - Throws: the first start-up failure, naming what and where (a folder it cannot write, a
    ///   port in use, a host that is not an address), as soon as it happens; any service's
    ///   later failure likewise. The caller ends the process: services still winding down are
    ///   not waited for.
    public static func run(configuration: TouchBaseConfiguration, checks: @escaping @Sendable () async -> [String] = { [] },
                           logger: Logger) async throws {
        if configuration.calls.detector == .touchbase, !AGIPeerFilter.isLoopback(configuration.audioSocket.host) {
            logger.warning("AudioSocket listens beyond loopback; AudioSocket has no authentication", metadata: [
                "host": "\(configuration.audioSocket.host)", "allowed_peers": "\(configuration.agi.allowedPeers)",
            ])
        }
        if !AGIPeerFilter.isLoopback(configuration.agi.host) {
            logger.warning("FastAGI listens beyond loopback; FastAGI has no authentication", metadata: [
                "host": "\(configuration.agi.host)", "allowed_peers": "\(configuration.agi.allowedPeers)",
            ])
        }
        try checkFolders(configuration)
        let store = try await configuration.openStore(logger: logger)
        let assembly = try TouchBaseAssembly(configuration: configuration, store: store, logger: logger)
        logger.info("Messages", metadata: [
            "sounds": "\(configuration.speech.absoluteSoundsFolder)",
            "voices": "\(assembly.messages.speaker.voices.map(\.voiceName) + (assembly.messages.speaker.localEngine.map { [$0.voiceName] } ?? []))",
        ])
        let server = FastAGIServer(configuration: configuration.agi, router: assembly.router, logger: logger)
        assembly.metrics.readAGISessions { server.sessionsInFlight }
        var services: [any Service] = [server]
        if configuration.calls.detector == .touchbase {
            let handler = assembly.greetingCalls
            services.append(AudioSocketServer(configuration: configuration.audioSocket, logger: logger) { connection, logger in
                await handler.handle(connection, logger: logger)
            })
        }
        if configuration.metrics.port != 0 {
            assembly.metrics.bootstrapMetricsSystem()
            services.append(MetricsServer(host: configuration.metrics.host, port: configuration.metrics.port,
                                          metrics: assembly.metrics, logger: logger))
        }
        if configuration.console.port != 0 {
            services.append(ConsoleServer(settings: configuration.console, services: assembly.consoleServices(checks: checks), logger: logger))
        }
        if configuration.audio.isEnabled {
            services.append(MessageAudioServer(host: configuration.audio.host, port: configuration.audio.port,
                                               soundsFolder: configuration.speech.absoluteSoundsFolder,
                                               allowedPeers: configuration.audioPeers, logger: logger))
        }
        if let dialer = assembly.dialer {
            services.append(dialer)
        } else {
            logger.info("Dialer off ([dialer] enabled = false): only answering AGI")
        }
        if let prerenderer = assembly.prerenderer {
            services.append(PrerenderSweep(prerenderer: prerenderer, store: assembly.store, hours: configuration.speech.prerenderHours))
        }
        if assembly.messages.templates.folder != nil {
            services.append(TemplatesWatch(templates: assembly.messages.templates, logger: logger))
        }
        try await ServiceSupervision.run(services, grace: .nanoseconds(configuration.agi.shutdownGracePeriod.nanoseconds), logger: logger)
    }

    /// Refuses to start when the sounds folder or the call-file spool cannot be written.
    static func checkFolders(_ configuration: TouchBaseConfiguration) throws {
        var problems = [StartupChecks.soundsFolderProblem(configuration.speech.absoluteSoundsFolder, create: true)]
        if configuration.dialer.enabled {
            for pbx in configuration.dialer.nodePBXs {
                guard case .callFile(let outgoing, let staging) = pbx.method else { continue }
                let spool = CallFileSpool(outgoingDirectory: outgoing, stagingDirectory: staging)
                problems += [spool.outgoingDirectory, spool.stagingDirectory].map { StartupChecks.spoolProblem($0, missingIsProblem: false) }
            }
        }
        if let problem = problems.compactMap({ $0 }).first { throw StartupFailure(description: problem) }
    }
}

/// `touchbase serve` cannot start, in one line naming what and where.
public struct StartupFailure: Error, Sendable, CustomStringConvertible {
    /// What cannot be done, and where.
    public var description: String
}

/// Pre-renders every message due within the next hours, at start and then every hour.
struct PrerenderSweep: Service {
    let prerenderer: Prerenderer
    let store: any Store
    let hours: Double

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await prerenderer.sweep(until: Date().addingTimeInterval(hours * 3600)) { try await store.dueFollowUps(now: $0, limit: 10_000) }
                try await Task.sleep(for: .seconds(3600))
            }
        }
    }
}

/// `touchbase agi ROUTE`: one session of TouchBase's routes over stdin and stdout.
public enum ProcessAGIRunner {
    /// Runs the route and returns how the session ended.
    public static func run(route: String, configuration: TouchBaseConfiguration, logger: Logger) async throws -> AGISessionEnd {
        var configuration = configuration
        configuration.dialer.enabled = false
        configuration.speech.prerender = false
        let assembly = try TouchBaseAssembly(configuration: configuration, store: try await configuration.openStore(logger: logger),
                                             logger: logger)
        return try await ProcessAGI.run(route: route, router: assembly.router, logger: logger)
    }
}

/// The process's metrics count what the dialer, the routes and message preparation report.
extension TouchBaseMetrics: CallMetrics, SpeechMetrics {}
