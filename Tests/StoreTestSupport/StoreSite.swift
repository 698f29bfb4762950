import Foundation
import Logging
import PostgresStore
import Store
import Testing

/// The stores every store test runs against.
public enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// The kind's name in test output.
    public var testDescription: String { rawValue }

    /// The kinds this run covers: PostgreSQL only where a server is given, or in CI, where its
    /// absence must fail rather than pass quietly.
    public static var covered: [StoreKind] { PostgresTestServer.url != nil || PostgresTestServer.isCI ? allCases : [.sqlite] }
}

/// The PostgreSQL server scripts/with-postgres starts for the test run.
public enum PostgresTestServer {
    /// The stores' logger: warnings and errors only.
    public static let logger = {
        var logger = Logger(label: "store-tests")
        logger.logLevel = .warning
        return logger
    }()
    /// The test database's URL, from `TOUCHBASE_TEST_POSTGRES_URL`.
    public static let url = ProcessInfo.processInfo.environment["TOUCHBASE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// Whether this run is CI's (`CI=true`), where a missing server fails the run.
    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    /// What a run without a server says.
    public static let missing = "TOUCHBASE_TEST_POSTGRES_URL is unset: the PostgreSQL cases of the store tests did not run (scripts/test runs them inside scripts/with-postgres)"

    /// The configuration of a new, empty schema of the test database.
    public static func freshSchema() async throws -> PostgresStoreConfiguration {
        var configuration = try baseConfiguration()
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let store = try await PostgresStore(configuration: configuration, logger: PostgresTestServer.logger)
        defer { store.close() }
        try await store.execute("CREATE SCHEMA \(schema)")
        configuration.schema = schema
        return configuration
    }

    /// The test database itself. Opening a store takes the migration lock, which every test
    /// migrating its fresh schema holds in turn: beside a hundred of them (and the several-nodes
    /// test's serve processes) on two cores, the wait can pass a node's default 15 s.
    static func baseConfiguration() throws -> PostgresStoreConfiguration {
        guard let url else { throw StoreError(missing) }
        var configuration = try PostgresStoreConfiguration(url: url, tls: .disable)
        configuration.startTimeoutSeconds = 120
        return configuration
    }
}

extension PostgresTestServer {
    /// The URL of a new, empty database on the test server, for a test that runs the built
    /// `touchbase` against a URL of its own.
    public static func freshDatabase() async throws -> String {
        guard let url else { throw StoreError(missing) }
        let server = try DatabaseURL(url)
        let name = "d_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let store = try await PostgresStore(configuration: try baseConfiguration(), logger: logger)
        defer { store.close() }
        try await store.execute("CREATE DATABASE \(name)")
        return "postgres://\(server.username)@\(server.host):\(server.port)/\(name)"
    }
}

/// Where one test's data lives: a temporary SQLite file or a fresh PostgreSQL schema. Each
/// ``open()`` is another store on the same data, as another node would have.
public struct StoreSite: Sendable {
    /// Which store the site is.
    public let kind: StoreKind
    private let path: String?
    private let postgres: PostgresStoreConfiguration?

    /// A new, empty site of the kind.
    public init(_ kind: StoreKind) async throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            path = FileManager.default.temporaryDirectory.appendingPathComponent("tb-\(UUID()).sqlite").path
            postgres = nil
        case .postgres:
            path = nil
            postgres = try await PostgresTestServer.freshSchema()
        }
    }

    /// Another store on this site's data.
    public func open() async throws -> any Store {
        if let path { return try SQLiteStore(path: path) }
        return try await PostgresStore(configuration: postgres!, logger: PostgresTestServer.logger)
    }
}
