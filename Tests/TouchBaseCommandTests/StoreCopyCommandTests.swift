import Foundation
import PostgresStore
import Store
import StoreTestSupport
import Testing

@Suite("touchbase store copy, the built executable")
struct StoreCopyCommandTests {
    @Test("copies a SQLite file into an empty PostgreSQL database and says what it copied; a second copy is refused; [database] url reads it",
          .enabled(if: StoreKind.covered.contains(.postgres), Comment(rawValue: PostgresTestServer.missing)))
    func copyThenServeFromPostgres() async throws {
        let url = try await PostgresTestServer.freshDatabase()
        let touchbase = try TouchBaseBinary()
        let csv = try touchbase.write(Array("name,phone\nDan,617-555-0100\nEve,617-555-0101\n".utf8), to: "c.csv")
        let imported = try touchbase.run(["contacts", "import", csv.path] + StoreCommandTests.importDefaults)
        #expect(imported.status == 0, "\(imported.stderr)")
        let added = try touchbase.run(["users", "add", "ada", "--role", "admin"], stdin: .pipe(Array("a long password\n".utf8)))
        #expect(added.status == 0, "\(added.stderr)")
        let copy = ["store", "copy", "--from", "touchbase.sqlite", "--to", url, "--tls", "disable"]
        let first = try touchbase.run(copy)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("copied 2 contacts, 2 follow-ups, 0 calls, 0 messages, 1 console accounts, 1 audit entries from touchbase.sqlite to \(url)"), "\(first.stdout)")
        let second = try touchbase.run(copy)
        #expect(second.status == 1)
        #expect(second.stderr.contains("already holds 2 contacts") && second.stderr.contains("nothing was copied"), "\(second.stderr)")
        let config = try touchbase.write(Array("[database]\nurl = \"\(url)\"\ntls = \"disable\"\n".utf8), to: "pg.toml")
        let list = try touchbase.run(["contacts", "list", "--config", config.path])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("Dan") && list.stdout.contains("+16175550101"), "\(list.stdout)")
        let store = try await PostgresStore(configuration: try PostgresStoreConfiguration(url: url, tls: .disable), logger: PostgresTestServer.logger)
        defer { store.close() }
        #expect(try await store.account(name: "ada")?.role == .admin, "the console's accounts come along, so no one is locked out")
    }
}
