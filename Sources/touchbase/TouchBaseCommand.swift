import ArgumentParser
import TouchBase

@main
struct TouchBaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "touchbase",
        abstract: "Follow-up calls through Asterisk that leave the right voicemail.",
        version: touchBaseVersion,
        subcommands: [ServeCommand.self, ProcessAGICommand.self, ContactsCommand.self, LogCommand.self,
                      ReportCommand.self, SimulateCommand.self, PreviewCommand.self, CheckConfigCommand.self, RenderCommand.self, BenchSeedCommand.self,
                      BenchClaimsCommand.self,
                      StoreCommand.self, UsersCommand.self]
    )
}
