import PostgresStore
import Testing
import ConfigurationFile
import TouchBase

@Suite("[database] for several nodes")
struct DatabaseSettingsTests {
    @Test("url, password_env and tls choose PostgreSQL; the password comes from the variable named")
    func sharedDatabase() throws {
        let configuration = try TouchBaseConfiguration.parse("""
            [database]
            url = "postgres://touchbase@db.example.com:6432/calls"
            password_env = "TB_PG_PASSWORD"
            tls = "require"

            [dialer]
            node = "pbx1-a"
            claim_lease_seconds = 90
            """, file: "touchbase.toml")
        let shared = try #require(configuration.sharedDatabase)
        let store = try PostgresStoreConfiguration(shared, environment: ["TB_PG_PASSWORD": "s3cret"])
        #expect(store.host == "db.example.com" && store.port == 6432 && store.database == "calls" && store.username == "touchbase")
        #expect(store.password == "s3cret" && store.tls == .require)
        #expect(store.displayURL == "postgres://touchbase@db.example.com:6432/calls")
        #expect(configuration.dialer.node == "pbx1-a" && configuration.dialer.claimLeaseSeconds == 90)
        #expect(try TouchBaseConfiguration.parse("", file: "t.toml").sharedDatabase == nil, "SQLite stays the default")
    }

    @Test("a password in the URL, a URL that is not PostgreSQL's and an unknown tls are refused, naming the setting", arguments: [
        ("url = \"postgres://touchbase:hunter2@db/calls\"", "password_env"),
        ("url = \"mysql://touchbase@db/calls\"", "not postgres://"),
        ("url = \"postgres://touchbase@db\"", "names no database"),
        ("url = \"postgres://db/calls\"", "names no user"),
        ("url = \"postgres://touchbase@db/calls\"\ntls = \"maybe\"", "database.tls must be \"disable\" or \"prefer\" or \"require\""),
    ])
    func refused(setting: String, message: String) {
        do {
            _ = try TouchBaseConfiguration.parse("[database]\n" + setting, file: "touchbase.toml")
            Issue.record("accepted \(setting)")
        } catch {
            #expect("\(error)".contains("touchbase.toml") && "\(error)".contains(message), "\(error)")
        }
    }
}
