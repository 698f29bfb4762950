import Foundation
import Logging
import PostgresNIO
import Store

/// The shared ``Store`` for several TouchBase nodes: one PostgreSQL database, through a
/// connection pool of PostgresNIO.
///
/// Opening it runs its migrations under an advisory lock, so of several nodes starting at once
/// one brings the schema up to date and the others wait for it. Claims on due follow-ups use
/// `FOR UPDATE SKIP LOCKED` inside a transaction that also holds the pacing lock; see
/// ``claimDueFollowUps(_:)``.
public final class PostgresStore: Store {
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    /// Connects, and brings the schema up to date.
    ///
    /// - Parameters:
    ///   - configuration: where the database is and how to log in.
    ///   - logger: where the pool's and the migrations' messages go.
    /// - Throws: ``StoreError`` naming the database when it cannot be reached or migrated.
    public init(configuration: PostgresStoreConfiguration, logger: Logger) async throws {
        // The pool warns when a lease comes before run() has started, which happens by design
        // in the moment after init; its errors still reach the log.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        client = PostgresClient(configuration: try configuration.clientConfiguration(), backgroundLogger: background)
        self.logger = logger
        let client = self.client
        runner = Task { await client.run() }
        do {
            // The pool waits for a server that does not answer rather than failing: bound the wait.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await PostgresSchema.migrate(client: client, logger: logger) }
                group.addTask {
                    try await Task.sleep(for: .seconds(configuration.startTimeoutSeconds))
                    throw StoreError("no answer within \(Int(configuration.startTimeoutSeconds)) s: is PostgreSQL running there, and does it let this user in?")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            runner.cancel()
            throw StoreError("database \(configuration.displayURL) cannot be opened or migrated: \(error)")
        }
    }

    deinit { runner.cancel() }

    /// Closes the pool's connections; the store cannot be used afterwards.
    public func close() { runner.cancel() }

    /// Runs one statement that returns no rows, e.g. `CREATE SCHEMA` for a test.
    ///
    /// - Parameter sql: the statement; never built from outside input.
    public func execute(_ sql: String) async throws {
        _ = try await rows(PostgresQuery(unsafeSQL: sql))
    }

    /// Runs one statement on a pooled connection and returns its rows.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await client.withConnection { connection in try await connection.rows(query, logger: logger) }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    ///
    /// - Throws: the error `body` threw, when the rollback went through (so callers catch
    ///   ``CallAlreadyFinished`` or ``ClaimLost`` as from SQLite); else the transaction's error.
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError, error.rollbackError == nil { throw closureError }
            throw error
        }
    }
}

extension PostgresConnection {
    /// Runs one statement and returns its rows, each by column name.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await self.query(query, logger: logger) { rows.append(row.makeRandomAccess()) }
        return rows
    }
}

/// Where the shared database is and how to reach it: `[database] url`, `password_env` and `tls`.
public struct PostgresStoreConfiguration: Sendable, Hashable {
    /// Whether the connection is encrypted.
    public typealias TLSMode = DatabaseTLS

    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The user to log in as.
    public var username: String
    /// The password, read from the environment; `nil` for trust or peer authentication.
    public var password: String?
    /// The database's name.
    public var database: String
    /// Whether the connection is encrypted.
    public var tls: TLSMode
    /// How long opening the store waits for the server to answer and the migrations to finish.
    public var startTimeoutSeconds = 15.0
    /// The schema the tables live in; `nil` for the login's default (`public`). Tests give each
    /// case its own.
    public var schema: String?

    /// Reads `postgres://user@host:port/database` (or `postgresql://`).
    ///
    /// - Parameters:
    ///   - url: the URL; a password in it is refused, since secrets live in the environment.
    ///   - password: the password, from the variable `password_env` names.
    ///   - tls: whether to encrypt.
    /// - Throws: ``StoreError`` saying what in the URL is wrong.
    public init(url: String, password: String? = nil, tls: TLSMode = .prefer) throws(StoreError) {
        let parts = try DatabaseURL(url)
        (host, port, username, database) = (parts.host, parts.port, parts.username, parts.database)
        self.password = password
        self.tls = tls
    }

    /// Reads the `[database]` settings, with the password from the variable `password_env` names.
    ///
    /// - Throws: ``StoreError`` when the URL is not a PostgreSQL URL.
    public init(_ settings: SharedDatabaseSettings, environment: [String: String]) throws(StoreError) {
        try self.init(url: settings.url, password: environment[settings.passwordEnvironment].flatMap { $0.isEmpty ? nil : $0 },
                      tls: settings.tls)
    }

    /// The URL without the password, for messages.
    public var displayURL: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    func clientConfiguration() throws -> PostgresClient.Configuration {
        let tlsSetting: PostgresClient.Configuration.TLS
        switch tls {
        case .disable: tlsSetting = .disable
        case .prefer: tlsSetting = .prefer(.makeClientConfiguration())
        case .require: tlsSetting = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password,
                                                         database: database, tls: tlsSetting)
        configuration.options.maximumConnections = 8
        if let schema {
            guard schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw StoreError("schema \(String(reflecting: schema)) may hold only letters, digits and _")
            }
            configuration.options.additionalStartupParameters = [("options", "-c search_path=\(schema)")]
        }
        return configuration
    }
}

extension PostgresStore {
    /// Transactions committed in this database so far, from `pg_stat_database`, for benchmarks.
    public func committedTransactions() async throws -> Int {
        // The statistics are flushed when a session ends its transaction, at most once a second.
        _ = try await rows("SELECT pg_stat_clear_snapshot()")
        return try await rows("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").first
            .map { try $0["xact_commit"].decode(Int.self) } ?? 0
    }
}
