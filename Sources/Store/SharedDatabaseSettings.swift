import Foundation
import Settings

/// Whether the connection to a shared database is encrypted (`[database] tls`).
public enum DatabaseTLS: String, Sendable, Hashable, CaseIterable {
    /// Plain TCP (a Unix socket or a trusted network only).
    case disable
    /// TLS when the server offers it.
    case prefer
    /// TLS or no connection; the server's certificate is verified.
    case require
}

/// `[database] url`, `password_env` and `tls`: the shared PostgreSQL database several nodes
/// work from. Without a `url`, the store is the SQLite file `[database] path` names.
public struct SharedDatabaseSettings: Sendable, Hashable {
    /// `postgres://user@host:port/database`; never holds the password.
    public var url: String
    /// The environment variable holding the password (`password_env`).
    public var passwordEnvironment = "TOUCHBASE_DB_PASSWORD"
    /// Whether the connection is encrypted.
    public var tls = DatabaseTLS.prefer

    /// Creates the settings for a URL.
    public init(url: String) {
        self.url = url
    }

    /// Reads `url`, `password_env` and `tls` from the `[database]` section; `nil` when it has
    /// no `url` (SQLite).
    ///
    /// - Throws: ``SettingsProblem`` naming the key.
    public static func read(_ settings: inout SettingsReader) throws -> SharedDatabaseSettings? {
        guard let url = try settings.string("url") else { return nil }
        do {
            _ = try DatabaseURL(url)
        } catch {
            throw settings.error("url", error.description)
        }
        var shared = SharedDatabaseSettings(url: url)
        if let name = try settings.string("password_env") {
            guard !name.isEmpty else { throw settings.error("password_env", "must name an environment variable") }
            shared.passwordEnvironment = name
        }
        if let tls = try settings.string("tls", oneOf: DatabaseTLS.allCases.map(\.rawValue)) { shared.tls = DatabaseTLS(rawValue: tls)! }
        return shared
    }
}

/// The parts of `postgres://user@host:port/database` (or `postgresql://`).
public struct DatabaseURL: Sendable, Hashable {
    /// The server's host name or address.
    public var host: String
    /// The server's port; 5432 when the URL names none.
    public var port: Int
    /// The user to log in as.
    public var username: String
    /// The database's name.
    public var database: String

    /// Reads a URL.
    ///
    /// - Throws: ``StoreError`` saying what is wrong; a password in the URL is refused, since
    ///   secrets live in the environment.
    public init(_ url: String) throws(StoreError) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw StoreError("url \(String(reflecting: url)) is not postgres://user@host:port/database")
        }
        guard parts.password == nil else {
            throw StoreError("url holds a password; name an environment variable with password_env instead")
        }
        guard let host = parts.host, !host.isEmpty else { throw StoreError("url \(String(reflecting: url)) names no host") }
        guard let user = parts.user, !user.isEmpty else { throw StoreError("url \(String(reflecting: url)) names no user (user@host)") }
        let database = String(parts.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw StoreError("url \(String(reflecting: url)) names no database (/name)") }
        self.host = host
        self.port = parts.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.database = database
    }
}
