import ArgumentParser
import ConfigurationFile
import Foundation
import Logging
import Telemetry
import TouchBase

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the FastAGI server that Asterisk's dialplan calls, the dialer and the web console.",
        discussion: """
            With no configuration file, listens on 127.0.0.1:4573 with embedded defaults. \
            SIGTERM or SIGINT stop it gracefully: calls in progress finish first.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("agi-port"), help: "The FastAGI port (overrides [agi] port).")
    var agiPort: Int?

    @Option(name: .customLong("agi-host"), help: "The FastAGI bind address (overrides [agi] host).")
    var agiHost: String?

    func run() async throws {
        let logger = global.bootstrapLogging()
        var configuration = try global.loadConfiguration(logger: logger)
        if let agiPort {
            guard (0...65535).contains(agiPort) else {
                throw ValidationError("--agi-port must be 0 to 65535, not \(agiPort)")
            }
            configuration.agi.port = agiPort
        }
        if let agiHost { configuration.agi.host = agiHost }
        logger.info("TouchBase \(touchBaseVersion) starting")
        do {
            let checked = configuration
            try await TouchBaseServer.run(configuration: configuration, checks: {
                await ConfigurationCheck(configuration: checked, logger: logger).run(speak: false).map(\.description)
            }, logger: logger)
        } catch {
            throw GlobalOptions.fail(error)
        }
    }
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default: $TOUCHBASE_CONFIG, else ./touchbase.toml if present).")
    var config: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = ProcessInfo.processInfo.environment["TOUCHBASE_LOG_LEVEL"] ?? "info"

    func bootstrapLogging(quiet: Bool = false) -> Logger {
        var level = Logger.Level(rawValue: logLevel.lowercased()) ?? .info
        // Commands that print results keep info-level chatter off the terminal.
        if quiet && level == .info { level = .warning }
        let chosen = level
        LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, logLevel: chosen) }
        return Logger(label: "touchbase")
    }

    /// Which file the configuration comes from, in words.
    var configurationSource: String {
        TouchBaseConfiguration.path(explicit: config, environment: ProcessInfo.processInfo.environment) ?? "embedded defaults (no file)"
    }

    /// The configuration every command reads, found and read the same way for each; a file
    /// that cannot be used ends the command with one line naming the file, line and key.
    func loadConfiguration(logger: Logger) throws -> TouchBaseConfiguration {
        let configuration: TouchBaseConfiguration
        do {
            configuration = try TouchBaseConfiguration.load(explicit: config, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw Self.fail(error)
        }
        logger.info("Configuration", metadata: ["file": "\(configuration.file ?? "embedded defaults")"])
        for warning in configuration.warnings { logger.warning("\(warning)") }
        return configuration
    }

    /// Writes `touchbase: <error>` as one line on standard error and returns exit status 1 to
    /// throw, instead of ArgumentParser's usage text.
    static func fail(_ error: any Error) -> ExitCode {
        ConsoleLogHandler.writeToStandardError("touchbase: \(error)\n")
        return ExitCode(1)
    }
}
