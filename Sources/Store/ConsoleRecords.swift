import Cadence
import Foundation

/// What a web-console account may do: everything, or one owner's contacts.
public enum ConsoleRole: String, Sendable, Hashable, CaseIterable {
    /// The administrator: every contact, the system page, the message templates.
    case admin
    /// A salesperson: the contacts whose `owner` is the account's name.
    case owner
}

/// A web-console account. An owner account's name is the `owner` name on its contacts.
public struct ConsoleAccount: Sendable, Hashable {
    /// The name the person logs in with.
    public var name: String
    public var role: ConsoleRole
    /// The password's bcrypt hash; the password itself is never stored.
    public var passwordHash: String
    public var createdAt: Date

    /// Creates an account.
    public init(name: String, role: ConsoleRole, passwordHash: String, createdAt: Date) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// A logged-in console session as the store keeps it, so a restart of `serve` or another node
/// behind the same proxy knows it. Only the SHA-256 of the cookie's token is kept: a copy of
/// the database does not hold live sessions.
public struct StoredConsoleSession: Sendable, Hashable {
    /// The SHA-256 of the session cookie's token, in hex.
    public var tokenHash: String
    /// The account's name.
    public var account: String
    /// The account's role (read from the account, so a changed role holds at once).
    public var role: ConsoleRole
    /// The token every form of the session carries.
    public var csrfToken: String
    public var openedAt: Date
    public var lastUsed: Date

    /// Creates a session record.
    public init(tokenHash: String, account: String, role: ConsoleRole, csrfToken: String, openedAt: Date, lastUsed: Date) {
        self.tokenHash = tokenHash
        self.account = account
        self.role = role
        self.csrfToken = csrfToken
        self.openedAt = openedAt
        self.lastUsed = lastUsed
    }
}

/// One change made through the console: who, when, what.
public struct AuditEntry: Sendable, Hashable {
    public var at: Date
    /// The account that made the change.
    public var account: String
    /// What was done (`do-not-call`, `import`, `pause`, `edit`, `login`).
    public var action: String
    /// On what, in words (`contact 12`, `14 contacts from leads.csv`).
    public var detail: String

    /// Creates an entry.
    public init(at: Date, account: String, action: String, detail: String) {
        self.at = at
        self.account = account
        self.action = action
        self.detail = detail
    }
}

/// A search of the contacts: every filter optional, a page after a contact id.
public struct ContactSearch: Sendable, Hashable {
    /// Part of the name, or of the phone number's digits.
    public var text: String?
    /// The follow-up's phase name (`active`, `reached`, `responded`, `parked`, `stopped`).
    public var phase: String?
    /// The owner's name, exactly.
    public var owner: String?
    /// The campaign, exactly.
    public var campaign: String?
    /// The page starts after this contact id.
    public var after: Int64
    public var limit: Int

    /// Creates a search.
    public init(text: String? = nil, phase: String? = nil, owner: String? = nil, campaign: String? = nil, after: Int64 = 0, limit: Int = 50) {
        self.text = text
        self.phase = phase
        self.owner = owner
        self.campaign = campaign
        self.after = after
        self.limit = limit
    }

    /// The text as an FTS5 phrase for SQLite's trigram index, when it has the three characters
    /// a trigram needs.
    public var trigramPhrase: String? {
        guard let text, text.count >= 3 else { return nil }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The text as a SQL `LIKE` pattern, its wildcards escaped with `\`.
    public var likePattern: String? {
        guard let text, !text.isEmpty else { return nil }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        return "%\(escaped)%"
    }
}

/// A contact as the contacts list shows it: with its phase and next call.
public struct ContactListing: Sendable, Hashable {
    public var contact: Contact
    /// The follow-up's phase name; empty when the contact has no follow-up.
    public var phase: String
    public var step: Int
    public var nextCallStart: Date?

    /// Creates a listing.
    public init(contact: Contact, phase: String, step: Int, nextCallStart: Date?) {
        self.contact = contact
        self.phase = phase
        self.step = step
        self.nextCallStart = nextCallStart
    }
}

/// One step's counts in one week (weeks start on Monday, UTC).
public struct WeeklyStepCounts: Sendable, Hashable {
    public var weekStart: Date
    public var step: MessageStep
    /// Calls placed to the contact (by the dialer or by hand), not the contact's calls in.
    public var dials = 0
    public var voicemails = 0
    public var messagesLeft = 0
    public var reached = 0
    public var callbacks = 0
    public var parked = 0
    /// Calls after which the follow-up stopped (`note` starting `stopped`).
    public var stopped = 0

    /// Creates an empty row.
    public init(weekStart: Date, step: MessageStep) {
        self.weekStart = weekStart
        self.step = step
    }

    /// The count columns both stores' queries name, in the order ``init(week:step:counts:)`` reads.
    public static let columns = ["dials", "voicemails", "messages_left", "reached", "callbacks", "parked", "stopped"]

    /// A row from a store's query: the week's number since 1970-01-05 and the counts in ``columns``' order.
    ///
    /// - Throws: ``StoreError`` when the step is not 1, 2 or 3.
    public init(week: Int, step: Int, counts: [Int]) throws {
        self.init(weekStart: Date(timeIntervalSince1970: Double(week) * 604_800 + Self.mondayOffset),
                  step: try MessageStep(stored: step, of: "week \(week)"))
        (dials, voicemails, messagesLeft, reached, callbacks, parked) = (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5])
        stopped = counts.count > 6 ? counts[6] : 0
    }

    /// The counts in ``columns``' order.
    public var counts: [Int] { [dials, voicemails, messagesLeft, reached, callbacks, parked, stopped] }

    /// The counts per step, every week added up (the week left at `.distantPast`): what the
    /// Report page's first table and `touchbase report` show.
    public static func perStep(_ rows: [WeeklyStepCounts]) -> [WeeklyStepCounts] {
        MessageStep.allCases.map { step in
            rows.filter { $0.step == step }.reduce(into: WeeklyStepCounts(weekStart: .distantPast, step: step)) { $0.add($1) }
        }
    }

    /// Adds another row's counts to this one's.
    public mutating func add(_ other: WeeklyStepCounts) {
        dials += other.dials
        voicemails += other.voicemails
        messagesLeft += other.messagesLeft
        reached += other.reached
        callbacks += other.callbacks
        parked += other.parked
        stopped += other.stopped
    }

    /// Seconds from the Unix epoch (a Thursday) to the first Monday after it, 1970-01-05.
    public static let mondayOffset: Double = 4 * 86_400
}
