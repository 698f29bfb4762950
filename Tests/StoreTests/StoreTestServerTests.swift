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
