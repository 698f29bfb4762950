import ConfigurationFile
import Foundation
import Logging
import PostgresStore
import Store

extension TouchBaseConfiguration {
    /// Opens the configured store: PostgreSQL when `[database] url` is set, else the SQLite file
    /// (`path` here overrides `[database] path` and chooses SQLite).
    ///
    /// - Throws: ``StoreError`` naming the database when it cannot be opened or migrated.
    public func openStore(path: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                          logger: Logger) async throws -> any Store {
        guard let sharedDatabase, path == nil else { return try SQLiteStore(path: path ?? databasePath) }
        return try await PostgresStore(configuration: try PostgresStoreConfiguration(sharedDatabase, environment: environment), logger: logger)
    }
}
