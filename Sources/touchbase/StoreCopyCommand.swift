import ArgumentParser
import Foundation
import PostgresStore
import Store
import TouchBase

/// `touchbase store`: moving the data between stores.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move TouchBase's data between stores.",
        subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a SQLite file's contacts, follow-ups, calls and messages into an empty PostgreSQL database.",
            discussion: "Runs in one transaction: all rows or none. Refuses a target that already holds contacts, calls or messages. Stop `touchbase serve` on the file first.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "The SQLite file to copy from.") var from: String
        @Option(help: "The PostgreSQL database to copy to: postgres://user@host:port/database.") var to: String
        @Option(help: "The environment variable holding the password.") var passwordEnv = "TOUCHBASE_DB_PASSWORD"
        @Option(help: "TLS: disable, prefer or require.") var tls = "prefer"

        func run() async throws {
            let logger = global.bootstrapLogging(quiet: true)
            guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("\(from) does not exist") }
            guard let mode = PostgresStoreConfiguration.TLSMode(rawValue: tls) else {
                throw ValidationError("--tls must be disable, prefer or require, not \(tls)")
            }
            var target = SharedDatabaseSettings(url: to)
            target.passwordEnvironment = passwordEnv
            target.tls = mode
            let source = try SQLiteStore(path: from)
            let destination = try await PostgresStore(configuration: try PostgresStoreConfiguration(target, environment: ProcessInfo.processInfo.environment),
                                                      logger: logger)
            defer { destination.close() }
            let summary = try await destination.copy(from: source)
            print("copied \(summary) from \(from) to \(try PostgresStoreConfiguration(target, environment: [:]).displayURL)")
        }
    }
}
