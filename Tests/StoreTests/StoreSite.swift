import Foundation
import Logging
import PostgresStore
import Store
import Testing

/// The stores every store test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The kinds this run covers: PostgreSQL only where a server is given, or in CI, where its
    /// absence must fail rather than pass quietly.
    static var covered: [StoreKind] { PostgresTestServer.url != nil || PostgresTestServer.isCI ? allCases : [.sqlite] }
}

/// The PostgreSQL server scripts/with-postgres starts for the test run.
enum PostgresTestServer {
    static let logger = {
        var logger = Logger(label: "store-tests")
        logger.logLevel = .warning
        return logger
    }()
    static let url = ProcessInfo.processInfo.environment["TOUCHBASE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let missing = "TOUCHBASE_TEST_POSTGRES_URL is unset: the PostgreSQL cases of the store tests did not run (scripts/test runs them inside scripts/with-postgres)"

    /// The configuration of a new, empty schema of the test database.
    static func freshSchema() async throws -> PostgresStoreConfiguration {
        guard let url else { throw StoreError(missing) }
        var configuration = try PostgresStoreConfiguration(url: url, tls: .disable)
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let store = try await PostgresStore(configuration: configuration, logger: PostgresTestServer.logger)
        defer { store.close() }
        try await store.execute("CREATE SCHEMA \(schema)")
        configuration.schema = schema
        return configuration
    }
}

/// Where one test's data lives: a temporary SQLite file or a fresh PostgreSQL schema. Each
/// ``open()`` is another store on the same data, as another node would have.
struct StoreSite: Sendable {
    let kind: StoreKind
    private let path: String?
    private let postgres: PostgresStoreConfiguration?

    init(_ kind: StoreKind) async throws {
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
    func open() async throws -> any Store {
        if let path { return try SQLiteStore(path: path) }
        return try await PostgresStore(configuration: postgres!, logger: PostgresTestServer.logger)
    }
}

@Suite("Store test servers")
struct StoreTestServerTests {
    @Test("the PostgreSQL server for the store tests is given (scripts/with-postgres)",
          .enabled(if: PostgresTestServer.url != nil || PostgresTestServer.isCI, Comment(rawValue: PostgresTestServer.missing)))
    func serverGiven() async throws {
        #expect(PostgresTestServer.url != nil, Comment(rawValue: PostgresTestServer.missing))
    }
}
