import Foundation
import Logging
import PostgresStore
import Store

/// `[database] url`, `password_env` and `tls`: the shared PostgreSQL database several nodes
/// work from. Without a `url`, the store is the SQLite file `[database] path` names.
public struct SharedDatabaseSettings: Sendable, Hashable {
    /// `postgres://user@host:port/database`; never holds the password.
    public var url: String
    /// The environment variable holding the password (`password_env`).
    public var passwordEnvironment = "TOUCHBASE_DB_PASSWORD"
    /// Whether the connection is encrypted (`tls`: `disable`, `prefer`, `require`).
    public var tls = PostgresStoreConfiguration.TLSMode.prefer

    /// Creates the settings for a URL.
    public init(url: String) {
        self.url = url
    }

    /// The store's configuration, with the password read from the environment.
    ///
    /// - Throws: ``StoreError`` when the URL is not a PostgreSQL URL.
    public func storeConfiguration(environment: [String: String]) throws(StoreError) -> PostgresStoreConfiguration {
        try PostgresStoreConfiguration(url: url, password: environment[passwordEnvironment].flatMap { $0.isEmpty ? nil : $0 }, tls: tls)
    }
}

extension TouchBaseConfiguration {
    /// Opens the configured store: PostgreSQL when `[database] url` is set, else the SQLite file
    /// (`path` here overrides `[database] path`).
    ///
    /// - Throws: ``StoreError`` naming the database when it cannot be opened or migrated.
    public func openStore(path: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                          logger: Logger) async throws -> any Store {
        guard let sharedDatabase, path == nil else { return try SQLiteStore(path: path ?? databasePath) }
        return try await PostgresStore(configuration: try sharedDatabase.storeConfiguration(environment: environment), logger: logger)
    }
}
