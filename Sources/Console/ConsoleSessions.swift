import Cadence
import Foundation
import Store

/// A logged-in person: whom the session is for and the token every form must carry.
public struct ConsoleSession: Sendable, Hashable {
    /// The account's name; for an owner, the `owner` name on their contacts.
    public var account: String
    public var role: ConsoleRole
    /// The CSRF token every form and mutation of this session carries.
    public var csrfToken: String
    var lastUsed: Date

    /// Whether the session may see and change `contact`: an administrator every contact, an
    /// owner only their own.
    public func mayReach(_ contact: Contact) -> Bool {
        role == .admin || contact.owner.name == account
    }

    /// The owner filter the session's contact lists get: its own name for an owner.
    public var ownerScope: String? { role == .admin ? nil : account }
}



/// The sessions of the console, in memory: a restart of `serve` logs everyone out.
actor ConsoleSessions {
    private var sessions: [String: ConsoleSession] = [:]
    private let lifetime: TimeInterval

    init(lifetime: TimeInterval) { self.lifetime = lifetime }

    /// Opens a session and returns its cookie value.
    func open(account: ConsoleAccount, now: Date) -> String {
        sessions = sessions.filter { now.timeIntervalSince($0.value.lastUsed) < lifetime }
        let token = RandomToken.make()
        sessions[token] = ConsoleSession(account: account.name, role: account.role, csrfToken: RandomToken.make(), lastUsed: now)
        return token
    }

    /// The session a cookie names, if it is open and not expired; its use is noted.
    func session(token: String, now: Date) -> ConsoleSession? {
        guard var session = sessions[token] else { return nil }
        guard now.timeIntervalSince(session.lastUsed) < lifetime else {
            sessions[token] = nil
            return nil
        }
        session.lastUsed = now
        sessions[token] = session
        return session
    }

    func close(token: String) { sessions[token] = nil }
}

/// Login attempts that failed, counted per account and per client address over a window:
/// past the limit, logins are refused until the window has moved on.
actor LoginThrottle {
    private var failures: [String: [Date]] = [:]
    let window: TimeInterval
    let perAccount: Int
    let perAddress: Int

    init(window: TimeInterval = 900, perAccount: Int = 5, perAddress: Int = 20) {
        self.window = window
        self.perAccount = perAccount
        self.perAddress = perAddress
    }

    /// Whether a login for `account` from `address` may be tried now.
    func allows(account: String, address: String, now: Date) -> Bool {
        recent("account:" + account, now) < perAccount && recent("address:" + address, now) < perAddress
    }

    func failed(account: String, address: String, now: Date) {
        for key in ["account:" + account, "address:" + address] { failures[key, default: []].append(now) }
    }

    func succeeded(account: String) { failures["account:" + account] = nil }

    private func recent(_ key: String, _ now: Date) -> Int {
        let kept = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[key] = kept.isEmpty ? nil : kept
        return kept.count
    }
}

/// 32 random bytes in hex, from the system's secure generator.
enum RandomToken {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    /// Compares two tokens in time independent of where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
