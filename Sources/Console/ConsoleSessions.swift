import Cadence
import Crypto
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

/// The console's sessions, kept in the store so a restart of `serve` logs no one out and every
/// node behind one proxy knows them; only each token's SHA-256 is stored.
///
/// A session seen lately is answered from memory: the store is asked again once it is older
/// than `recheck` (so a logout or a new password on another node holds within it), and told of
/// the session's use at most once a `touchEvery`.
actor ConsoleSessions {
    private struct Known {
        var session: ConsoleSession
        var checkedAt: Date
        var touchedAt: Date
    }

    private let store: any Store
    private var known: [String: Known] = [:]
    private let lifetime: TimeInterval
    private let recheck: TimeInterval
    private let touchEvery: TimeInterval

    init(store: any Store, lifetime: TimeInterval, recheck: TimeInterval = 10, touchEvery: TimeInterval = 60) {
        self.store = store
        self.lifetime = lifetime
        self.recheck = recheck
        self.touchEvery = touchEvery
    }

    /// Opens a session and returns its cookie value. Sessions idle past their lifetime are
    /// dropped from the store meanwhile.
    func open(account: ConsoleAccount, now: Date) async throws -> String {
        let token = RandomToken.make()
        let session = ConsoleSession(account: account.name, role: account.role, csrfToken: RandomToken.make(), lastUsed: now)
        try await store.closeConsoleSessions(tokenHash: nil, idleBefore: now.addingTimeInterval(-lifetime))
        try await store.openConsoleSession(StoredConsoleSession(tokenHash: Self.hash(token), account: account.name, role: account.role,
                                                                csrfToken: session.csrfToken, openedAt: now, lastUsed: now))
        known = known.filter { now.timeIntervalSince($0.value.session.lastUsed) < lifetime }
        known[token] = Known(session: session, checkedAt: now, touchedAt: now)
        return token
    }

    /// The session a cookie names, if it is open and not idle past its lifetime; its use is noted.
    func session(token: String, now: Date) async throws -> ConsoleSession? {
        var entry: Known
        if let cached = known[token], now.timeIntervalSince(cached.checkedAt) < recheck {
            entry = cached
        } else {
            guard token.count == 64, let stored = try await store.consoleSession(tokenHash: Self.hash(token)) else {
                known[token] = nil
                return nil
            }
            let lastUsed = max(stored.lastUsed, known[token]?.session.lastUsed ?? stored.lastUsed)
            entry = Known(session: ConsoleSession(account: stored.account, role: stored.role, csrfToken: stored.csrfToken, lastUsed: lastUsed),
                          checkedAt: now, touchedAt: known[token]?.touchedAt ?? stored.lastUsed)
        }
        guard now.timeIntervalSince(entry.session.lastUsed) < lifetime else {
            known[token] = nil
            try await store.closeConsoleSessions(tokenHash: Self.hash(token), idleBefore: .distantPast)
            return nil
        }
        entry.session.lastUsed = now
        if now.timeIntervalSince(entry.touchedAt) >= touchEvery {
            entry.touchedAt = now
            try await store.touchConsoleSession(tokenHash: Self.hash(token), at: now)
        }
        known[token] = entry
        return entry.session
    }

    /// Ends a session (logging out), on every node.
    func close(token: String) async throws {
        known[token] = nil
        try await store.closeConsoleSessions(tokenHash: Self.hash(token), idleBefore: .distantPast)
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
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
