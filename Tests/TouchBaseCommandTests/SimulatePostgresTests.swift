import Foundation
import StoreTestSupport
import Testing

/// `touchbase simulate --postgres URL`: the same cadence and seed on the shared store.
@Suite("touchbase simulate on PostgreSQL")
struct SimulatePostgresTests {
    /// The report without its first line, which holds the time the run took.
    static func figures(_ stdout: String) -> [String] { Array(stdout.split(separator: "\n").dropFirst().map(String.init)) }

    @Test("the same seed gives the same figures on PostgreSQL as on SQLite, and a database holding contacts is refused",
          .enabled(if: StoreKind.covered.contains(.postgres), "needs PostgreSQL (scripts/with-postgres)"))
    func sameFigures() async throws {
        let arguments = ["simulate", "--contacts", "150", "--days", "20", "--seed", "7"]
        let touchbase = try TouchBaseBinary()
        let sqlite = try touchbase.run(arguments, limit: 60)
        #expect(sqlite.status == 0, "\(sqlite.stderr)")
        let database = try await PostgresTestServer.freshDatabase()
        let postgres = try touchbase.run(arguments + ["--postgres", database], limit: 120)
        #expect(postgres.status == 0, "\(postgres.stderr)")
        #expect(Self.figures(postgres.stdout).count >= 6)
        #expect(Self.figures(postgres.stdout) == Self.figures(sqlite.stdout), "SQLite:\n\(sqlite.stdout)\nPostgreSQL:\n\(postgres.stdout)")

        let again = try touchbase.run(arguments + ["--postgres", database], limit: 60)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already holds contacts"), "\(again.stderr)")
    }
}
