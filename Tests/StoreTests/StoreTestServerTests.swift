import PostgresStore
import StoreTestSupport
import Testing

@Suite("Store test servers")
struct StoreTestServerTests {
    @Test("the PostgreSQL server for the store tests is given (scripts/with-postgres)",
          .enabled(if: PostgresTestServer.url != nil || PostgresTestServer.isCI, Comment(rawValue: PostgresTestServer.missing)))
    func serverGiven() async throws {
        #expect(PostgresTestServer.url != nil, Comment(rawValue: PostgresTestServer.missing))
    }
}

@Suite("PostgreSQL store start")
struct PostgresStoreStartTests {
    @Test("a server that does not answer is reported after the start timeout, naming the database, instead of a wait without end")
    func noServer() async throws {
        var configuration = try PostgresStoreConfiguration(url: "postgres://touchbase@127.0.0.1:1/touchbase", tls: .disable)
        configuration.startTimeoutSeconds = 1
        do {
            _ = try await PostgresStore(configuration: configuration, logger: PostgresTestServer.logger)
            Issue.record("opened a store with no server")
        } catch {
            #expect("\(error)".contains("postgres://touchbase@127.0.0.1:1/touchbase") && "\(error)".contains("no answer within 1 s"))
        }
    }
}
