import AGI
import ArgumentParser
import Foundation
import TouchBase

struct ProcessAGICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agi",
        abstract: "Run one AGI route over stdin and stdout (process AGI).",
        discussion: """
            For a dialplan line such as AGI(/usr/local/bin/touchbase,agi,answered). \
            Logs go to stderr; stdout carries the AGI dialog. Exits 1, with one line on stderr, \
            when stdin is not an AGI session (empty, not an environment, a line over 8,192 bytes) \
            or the route fails.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The route to run, e.g. answered.")
    var route: String

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var dialplanArguments: [String] = []

    func run() async throws {
        // One process per call: info-level chatter would fill Asterisk's console on every call.
        let logger = global.bootstrapLogging(quiet: true)
        let configuration = try global.loadConfiguration(logger: logger)
        let end = try await ProcessAGIRunner.run(route: route, configuration: configuration, logger: logger)
        logger.debug("AGI session ended", metadata: ["end": "\(end)"])
        guard let problem = Self.problem(with: end, route: route) else { return }
        FileHandle.standardError.write(Data("touchbase agi: \(problem)\n".utf8))
        throw ExitCode.failure
    }

    /// What went wrong, in one line, or `nil` when the route ran to its end.
    static func problem(with end: AGISessionEnd, route: String) -> String? {
        switch end {
        case .completed:
            return nil
        case .closedBeforeEnvironment:
            return "stdin ended before an AGI environment; run it from an AGI() line in the dialplan"
        case .noRoute(let name):
            return "no AGI route '\(name)'"
        case .failed(.protocolViolation(let error)):
            return "stdin is not an AGI session: \(error)"
        case .failed(let error):
            return "route '\(route)' ended: \(error)"
        case .handlerFailed(let message):
            return "route '\(route)' failed: \(message)"
        }
    }
}
