import ArgumentParser
struct ServeCommand: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "serve") }
struct AGICommand: AsyncParsableCommand { static let configuration = CommandConfiguration(commandName: "agi") }
