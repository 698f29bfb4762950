import ArgumentParser
import ConfigurationFile
import Foundation
import TouchBase

struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and the templates, and reach the TTS endpoint and Asterisk.",
        discussion: "Exits with status 1 when anything `touchbase serve` relies on would fail.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Do not send a synthesis request to the voices.") var noSpeech = false

    func run() async throws {
        let logger = global.bootstrapLogging(quiet: true)
        let configuration = try global.loadConfiguration(logger: logger)
        print("ok      configuration: \(global.configurationSource)")
        let findings = await ConfigurationCheck(configuration: configuration, logger: logger).run(speak: !noSpeech)
        for finding in findings { print(finding) }
        let errors = findings.filter { $0.level == .error }.count
        print(errors == 0 ? "configuration is usable" : "\(errors) problem\(errors == 1 ? "" : "s") to fix")
        if errors > 0 { throw ExitCode(1) }
    }
}
